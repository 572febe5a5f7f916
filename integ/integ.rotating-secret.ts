import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { RotatingSecret, RotationStrategy } from '../lib/secrets';

/**
 * Deploys a RotatingSecret with the random-key strategy (no database needed, so the test is cheap and
 * quick) and really rotates it: it waits for the first rotation that creating the schedule starts,
 * calls rotateSecret, waits until the new version is AWSCURRENT and then reads it.
 *
 * The assertion provider logs API responses, getSecretValue's included: the value is a random key
 * created for this test and deleted with the stack, never a real credential.
 */
const app = new App();
const stack = new Stack(app, 'IntegRotatingSecret');
const secret = new RotatingSecret(stack, 'ApiKey', {
  description: 'integ test: rotated by the shared random-key function',
  rotation: RotationStrategy.randomKey(),
  rotationInterval: Duration.days(30),
  // the test cleans up after itself
  removalPolicy: RemovalPolicy.DESTROY,
});
// The secret is under the stack's shared key (the default), which is retained as it outlives any one
// secret; this test's stack is all its own, so the key goes with it.
(secret.encryptionKey as kms.Key).applyRemovalPolicy(RemovalPolicy.DESTROY);

const integ = new IntegTest(app, 'RotatingSecretTest', { testCases: [stack] });
const wait = { totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) };
// a RotatingSecret is a secretsmanager.ISecret
const secretId = secret.secretArn;

// Creating the schedule rotates once; a second rotateSecret during it would be refused.
const firstRotation = integ.assertions.awsApiCall('SecretsManager', 'describeSecret', { SecretId: secretId });
firstRotation.expect(ExpectedResult.objectLike({
  RotationEnabled: true,
  RotationLambdaARN: secret.rotationFunction.functionArn,
  LastRotatedDate: Match.stringLikeRegexp('^\\d{4}-'),
}));
firstRotation.waitForAssertions(wait);

const rotate = integ.assertions.awsApiCall('SecretsManager', 'rotateSecret', { SecretId: secretId, RotateImmediately: true });
const rotatedVersion = rotate.getAttString('VersionId');

// The version rotateSecret started becomes AWSCURRENT once the four steps have run.
const rotated = integ.assertions.awsApiCall('SecretsManager', 'describeSecret', { SecretId: secretId });
rotated.assertAtPath(`VersionIdsToStages.${rotatedVersion}.0`, ExpectedResult.exact('AWSCURRENT'));
rotated.waitForAssertions(wait);

// A consumer reading the current value gets the rotated version.
const read = integ.assertions.awsApiCall('SecretsManager', 'getSecretValue', { SecretId: secretId, VersionStage: 'AWSCURRENT' });
read.assertAtPath('VersionId', ExpectedResult.exact(rotatedVersion));

// The assertion provider's role gets the secretsmanager actions it calls; reading a secret under a
// customer-managed key needs kms:Decrypt as well, and RotateSecret needs lambda:InvokeFunction on the
// rotation function.
read.provider.addToRolePolicy({ Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [secret.encryptionKey!.keyArn] });
rotate.provider.addToRolePolicy({ Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [secret.rotationFunction.functionArn] });

firstRotation.next(rotate).next(rotated).next(read);

app.synth();
