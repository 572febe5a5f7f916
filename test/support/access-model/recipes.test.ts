import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AccessModel } from './index';
import { testApp } from '../app';

// Each recipe of README.md, run against aws-cdk-lib's own constructs: the documentation stays true.
const ACCOUNT = '111111111111';
const stack = new Stack(testApp(), 'Recipes', { env: { account: ACCOUNT, region: 'eu-west-1' } });
const key = new kms.Key(stack, 'Key');
const secret = new secretsmanager.Secret(stack, 'Secret', { encryptionKey: key });
const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
secret.grantRead(reader);
const bucket = new s3.Bucket(stack, 'Bucket', { enforceSSL: true, minimumTLSVersion: 1.2 });
bucket.grantRead(reader);
const rotation = new lambda.Function(stack, 'Rotation', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>{}') });
secret.addRotationSchedule('Rotation', { rotationLambda: rotation, automaticallyAfter: Duration.days(30) });
const scoped = new lambda.Function(stack, 'Scoped', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>{}') });
scoped.addPermission('InvokeBySecretsManager', { principal: new iam.ServicePrincipal('secretsmanager.amazonaws.com'), sourceArn: secret.secretArn, sourceAccount: ACCOUNT });
const mfaRole = new iam.Role(stack, 'MfaRole', {
  assumedBy: new iam.AccountPrincipal('222222222222').withConditions({ Bool: { 'aws:MultiFactorAuthPresent': 'true' }, NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } }),
});
const model = new AccessModel([stack]);

test('secret read through its key: kms:ViaService', () => {
  const decrypt = (via?: string) => model.check({ principal: reader, action: 'kms:Decrypt', resource: key, context: via ? { 'kms:ViaService': via } : {} });
  expect(decrypt('secretsmanager.eu-west-1.amazonaws.com')).toBe('Allowed');
  expect(decrypt('s3.eu-west-1.amazonaws.com')).toBe('ImplicitlyDenied');
  expect(decrypt()).toBe('ImplicitlyDenied');
});

test('TLS version on a bucket: s3:TlsVersion', () => {
  const get = (tls: number) => model.check({ principal: reader, action: 's3:GetObject', resource: bucket, resourceSuffix: '/k', context: { 's3:TlsVersion': tls } });
  expect(get(1.1)).toBe('ExplicitlyDenied');
  expect(get(1.2)).toBe('Allowed');
});

test('Secrets Manager invoking a rotation function scoped to its secret', () => {
  const invoke = (fn: lambda.Function, sourceArn: string) => model.check({
    principal: 'secretsmanager.amazonaws.com', action: 'lambda:InvokeFunction', resource: fn,
    context: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': ACCOUNT },
  });
  expect(invoke(scoped, model.arnOf(secret))).toBe('Allowed');
  expect(invoke(scoped, 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:other-AbCdEf')).toBe('ImplicitlyDenied');
  // CDK's addRotationSchedule grants the service without a SourceArn: any rotation may invoke it
  expect(invoke(rotation, 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:other-AbCdEf')).toBe('Allowed');
});

test('MFA-required trust', () => {
  const assume = (present: boolean, age: number) => model.check({
    principal: 'arn:aws:iam::222222222222:user/alice', action: 'sts:AssumeRole', resource: mfaRole,
    context: { 'aws:MultiFactorAuthPresent': present, 'aws:MultiFactorAuthAge': age },
  });
  expect(assume(true, 300)).toBe('Allowed');
  expect(assume(false, 300)).toBe('ImplicitlyDenied');
  expect(assume(true, 7200)).toBe('ImplicitlyDenied');
});
