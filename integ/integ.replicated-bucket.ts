import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ReplicaDestination, ReplicatedBucket } from '../lib/storage';

/**
 * Deploys a ReplicaDestination in us-west-2 and a ReplicatedBucket in us-east-1 (one account: the
 * stacks name no account, so both go to the deploying account), puts an object into the source and
 * waits until it appears in the replica, decrypted through the replica's own key, with the replication
 * status REPLICA. The replica stack deploys first (the source stack depends on it). Cross-region
 * replication needs two fixed regions, so integ-runner warns that the replica stack ignores the region
 * it was asked to run in.
 *
 * The buckets and keys are retained when the stacks are destroyed (the constructs' default): empty and
 * delete them, and schedule the keys' deletion, by hand after a run.
 */
const REPLICA_REGION = 'us-west-2';
const KEY = 'integ/hello.txt';
const BODY = 'replicated by cdk-security-patterns';

const app = new App();
const replicaStack = new Stack(app, 'IntegReplicatedBucketReplica', { env: { region: REPLICA_REGION } });
const replica = new ReplicaDestination(replicaStack, 'Replica');

const sourceStack = new Stack(app, 'IntegReplicatedBucket', { env: { region: 'us-east-1' } });
const source = new ReplicatedBucket(sourceStack, 'Data', {
  replicationRules: [{ destination: replica, replicationTimeControl: true, deleteMarkerReplication: true }],
});

// In the source's region, like the assertion calls: S3 clients answer only for buckets of their own region.
const assertionStack = new Stack(app, 'IntegReplicatedBucketAssertions', { env: { region: 'us-east-1' } });

// Reads the replica from the replica's region and reports what it found; an object not there yet is
// reported as such, so the waiter retries rather than failing.
const probe = new lambda.Function(assertionStack, 'ReplicaProbe', {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  timeout: Duration.seconds(30),
  environment: { REPLICA_BUCKET: replica.bucket.bucketName, REPLICA_REGION, KEY },
  code: lambda.Code.fromInline(`
const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');
const s3 = new S3Client({ region: process.env.REPLICA_REGION });
exports.handler = async () => {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: process.env.REPLICA_BUCKET, Key: process.env.KEY }));
    return { body: await out.Body.transformToString(), replicationStatus: out.ReplicationStatus, encryption: out.ServerSideEncryption };
  } catch (e) {
    return { error: e.name };
  }
};
`),
});
probe.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [replica.bucket.arnForObjects(KEY)] }));
probe.addToRolePolicy(new iam.PolicyStatement({
  actions: ['kms:Decrypt'],
  resources: [replicaStack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' })],
  conditions: { StringEquals: { 'kms:ViaService': `s3.${REPLICA_REGION}.amazonaws.com` } },
}));

const integ = new IntegTest(app, 'ReplicatedBucketTest', { testCases: [replicaStack, sourceStack], assertionStack });

// Written with the bucket's default encryption (SSE-KMS with the source key), over TLS, signed with SigV4.
const put = integ.assertions.awsApiCall('S3', 'putObject', { Bucket: source.bucket.bucketName, Key: KEY, Body: BODY });
put.provider.addToRolePolicy({ Effect: 'Allow', Action: ['kms:GenerateDataKey'], Resource: [source.encryptionKey.keyArn] });

// Replication Time Control replicates 99.99% of objects within 15 minutes; usually it takes seconds.
const replicated = integ.assertions.invokeFunction({ functionName: probe.functionName });
replicated.expect(ExpectedResult.objectLike({
  Payload: JSON.stringify({ body: BODY, replicationStatus: 'REPLICA', encryption: 'aws:kms' }),
}));
replicated.waitForAssertions({ totalTimeout: Duration.minutes(20), interval: Duration.seconds(30) });
put.next(replicated);
// integ-tests-alpha's invokeFunction asks IAM for "lambda:Invoke", which does not exist (besides the
// real lambda:InvokeFunction): cfn-lint's W3037 is turned off for that generated template only.
assertionStack.templateOptions.metadata = { 'cfn-lint': { config: { ignore_checks: ['W3037'] } } };

app.synth();
