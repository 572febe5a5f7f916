import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { allowCloudWatchLogs } from '../private/cloudwatch-logs-key';

/**
 * A customer-managed KMS key as every construct of this library creates one: yearly rotation on
 * (unless `enableKeyRotation` says otherwise), and a key-policy statement that lets only AWS services
 * create grants (AWS Control Tower CT.KMS.PR.3), so a principal with `kms:CreateGrant` cannot hand
 * the key to an arbitrary principal.
 */
export class SecureKey extends kms.Key {
  constructor(scope: Construct, id: string, props: kms.KeyProps = {}) {
    super(scope, id, { enableKeyRotation: true, ...props });
    this.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'DenyGrantsExceptForAwsServices',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: {
        BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
      },
    }));
  }

  /**
   * Lets CloudWatch Logs of the key's account and region encrypt log groups with this key, and only
   * log groups (the encryption context names the log group's ARN).
   */
  public allowCloudWatchLogs(): void {
    allowCloudWatchLogs(this);
  }
}
