import { Aws, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

const READ_ACTIONS = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'];

/**
 * Identity-policy grants for principals that read many secrets: by tag or by name prefix, instead
 * of one ARN per secret. Each also lets the principal decrypt through Secrets Manager (kms:ViaService)
 * with the account's keys, which Secrets Manager uses only for secrets the principal may read.
 */
export class SecretGrants {
  /**
   * Let `grantee` read every secret of its account and region tagged `tagKey` = `tagValue`
   * (condition `secretsmanager:ResourceTag/<tagKey>`).
   */
  public static readByTag(grantee: iam.IGrantable, tagKey: string, tagValue: string): iam.Grant {
    if (!Token.isUnresolved(tagKey)) {
      if (tagKey.length < 1 || tagKey.length > 128 || tagKey.toLowerCase().startsWith('aws:')) {
        throw new Error(`SecretGrants.readByTag: tagKey must have 1 to 128 characters and not start with "aws:", got "${tagKey}"`);
      }
      if (/[*?]/.test(tagKey)) {
        throw new Error(`SecretGrants.readByTag: tagKey must not contain wildcards, got "${tagKey}"; name the exact tag key`);
      }
    }
    if (!Token.isUnresolved(tagValue) && (tagValue.length > 256 || /[*?]/.test(tagValue) || tagValue.length === 0)) {
      throw new Error(`SecretGrants.readByTag: tagValue must have 1 to 256 characters and no wildcards, got "${tagValue}"`);
    }
    const env = environment(grantee);
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: READ_ACTIONS,
      resourceArns: [`arn:${env.partition}:secretsmanager:${env.region}:${env.account}:secret:*`],
      conditions: { StringEquals: { [`secretsmanager:ResourceTag/${tagKey}`]: tagValue } },
    });
    decryptViaSecretsManager(grantee, env);
    return grant;
  }

  /**
   * Let `grantee` read every secret of its account and region whose name starts with `namePrefix`,
   * e.g. `my-app/` for `my-app/db` and `my-app/api-key`. The prefix must end with `/` so that
   * `my-app/` does not also match `my-app-other`.
   */
  public static readByNamePrefix(grantee: iam.IGrantable, namePrefix: string): iam.Grant {
    if (!Token.isUnresolved(namePrefix)) {
      if (namePrefix === '/') {
        throw new Error('SecretGrants.readByNamePrefix: namePrefix must name a folder of secrets, got "/", which matches every secret whose name starts with "/"; '
          + 'e.g. "/my-app/"');
      }
      if (!/^[A-Za-z0-9/_+=.@-]+\/$/.test(namePrefix)) {
        throw new Error(`SecretGrants.readByNamePrefix: namePrefix must be secret-name characters (letters, digits, /_+=.@-) ending with "/", got "${namePrefix}"; `
          + 'e.g. "my-app/" (a prefix without the slash would also match other applications\' names)');
      }
    }
    const env = environment(grantee);
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: READ_ACTIONS,
      resourceArns: [`arn:${env.partition}:secretsmanager:${env.region}:${env.account}:secret:${namePrefix}*`],
    });
    decryptViaSecretsManager(grantee, env);
    return grant;
  }

  private constructor() {}
}

interface Env { readonly partition: string; readonly region: string; readonly account: string }

/** The grantee's own account and region when it is a construct, else the deploying stack's. */
function environment(grantee: iam.IGrantable): Env {
  if (Construct.isConstruct(grantee)) {
    const stack = Stack.of(grantee);
    return { partition: stack.partition, region: stack.region, account: stack.account };
  }
  return { partition: Aws.PARTITION, region: Aws.REGION, account: Aws.ACCOUNT_ID };
}

function decryptViaSecretsManager(grantee: iam.IGrantable, env: Env): void {
  iam.Grant.addToPrincipal({
    grantee,
    actions: ['kms:Decrypt'],
    resourceArns: [`arn:${env.partition}:kms:${env.region}:${env.account}:key/*`],
    conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${env.region}.amazonaws.com` } },
  });
}
