import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { SecureKey } from '../../common/secure-key';

/** Construct id of the stack's shared secrets key, at the top of the stack. */
export const SHARED_KEY_ID = 'RotatingSecretsKey';

/** What a key does for the secrets it encrypts, only ever on Secrets Manager's behalf. */
const CRYPTO_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];

/**
 * The stack's one customer-managed key for the RotatingSecrets that name no key of their own (a key
 * per secret costs about $1 a month and a CloudFormation resource). Readers stay apart: each grant
 * on it names its secret in `kms:EncryptionContext:SecretARN`, and its policy lets no one use it
 * except through Secrets Manager, so a reader of one secret cannot decrypt another's ciphertext.
 */
export function sharedSecretsKey(stack: Stack): kms.Key {
  const existing = stack.node.tryFindChild(SHARED_KEY_ID);
  if (existing instanceof kms.Key) return existing;
  if (existing) {
    throw new Error(`RotatingSecret: the id ${SHARED_KEY_ID} at the top of stack ${stack.stackName} is reserved for the key the stack's secrets share, `
      + `but ${existing.node.path} uses it; rename that construct`);
  }
  const key = new SecureKey(stack, SHARED_KEY_ID, {
    description: `Encrypts the RotatingSecrets of ${stack.stackName} that have no key of their own`,
    // shared by secrets with different removal policies: it outlives them all
    removalPolicy: RemovalPolicy.RETAIN,
  });
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'DenyUseExceptThroughSecretsManager',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: CRYPTO_ACTIONS,
    resources: ['*'],
    conditions: { StringNotEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
  }));
  return key;
}
