import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { AccessModel, TemplateInput } from './index';
import { testApp } from '../app';

const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
const trust = doc({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' });
const roleWith = (extra: Record<string, unknown>) => ({ Type: 'AWS::IAM::Role', Properties: { RoleName: 'r', AssumeRolePolicyDocument: trust, ...extra } });
const single = (resource: Record<string, unknown>, more: Record<string, unknown> = {}): TemplateInput => ({
  stackName: 'T', account: '111111111111', template: { Resources: { R: resource, ...more } },
});
const R = 'arn:aws:iam::111111111111:role/r';

describe('managed policies', () => {
  test('ReadOnlyAccess (built in) allows reads and not writes', () => {
    const model = new AccessModel([single(roleWith({ ManagedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] }))]);
    expect(model.check({ principal: R, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', resourceAccount: '111111111111' })).toBe('Allowed');
    expect(model.check({ principal: R, action: 'dynamodb:BatchGetItem', resource: 'arn:aws:dynamodb:us-east-1:111111111111:table/t' })).toBe('Allowed');
    expect(model.check({ principal: R, action: 's3:PutObject', resource: 'arn:aws:s3:::b/k', resourceAccount: '111111111111' })).toBe('ImplicitlyDenied');
  });
  test('AWS managed policies given in options.managedPolicies are used', () => {
    const arn = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
    const model = new AccessModel([single(roleWith({ ManagedPolicyArns: [arn] }))], {
      managedPolicies: { [arn]: doc({ Effect: 'Allow', Action: ['s3:Get*', 's3:List*'], Resource: '*' }) },
    });
    expect(model.check({ principal: R, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', resourceAccount: '111111111111' })).toBe('Allowed');
  });
  test('fails when an AWS managed policy is neither built in nor given', () => {
    const model = new AccessModel([single(roleWith({ ManagedPolicyArns: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'] }))]);
    expect(() => model.check({ principal: R, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', resourceAccount: '111111111111' }))
      .toThrow(/uses the AWS managed policy 'arn:aws:iam::aws:policy\/AmazonS3ReadOnlyAccess', whose document the model does not know \(built in: AdministratorAccess, .*\); pass it as options.managedPolicies\['arn:aws:iam::aws:policy\/AmazonS3ReadOnlyAccess'\]/);
  });
  test('ignoreUnknownAwsManagedPolicies leaves them out and says so', () => {
    const model = new AccessModel([single(roleWith({
      ManagedPolicyArns: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'],
      Policies: [{ PolicyName: 'p', PolicyDocument: doc({ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }) }],
    }))], { ignoreUnknownAwsManagedPolicies: true });
    const e = model.explain({ principal: R, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', resourceAccount: '111111111111' });
    expect(e.decision).toBe('ImplicitlyDenied');
    expect(e.text).toContain('AmazonS3ReadOnlyAccess (unknown AWS managed policy, left out)');
    expect(model.check({ principal: R, action: 's3:ListBucket', resource: 'arn:aws:s3:::b', resourceAccount: '111111111111' })).toBe('Allowed');
  });
  test('fails when a customer managed policy is not in the stacks', () => {
    const model = new AccessModel([single(roleWith({ ManagedPolicyArns: ['arn:aws:iam::111111111111:policy/elsewhere'] }))]);
    expect(() => model.check({ principal: R, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', resourceAccount: '111111111111' }))
      .toThrow("AccessModel: AWS::IAM::Role 'R' of stack 'T' uses the managed policy 'arn:aws:iam::111111111111:policy/elsewhere', which is not in the model's stacks; pass the stack that defines it, or its document as options.managedPolicies['arn:aws:iam::111111111111:policy/elsewhere'].");
  });
});

describe('context values', () => {
  const model = new AccessModel([single(roleWith({
    Policies: [{
      PolicyName: 'p',
      PolicyDocument: doc({
        Effect: 'Allow', Action: 's3:GetObject', Resource: '*',
        Condition: {
          Bool: { 'aws:MultiFactorAuthPresent': 'true' },
          NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' },
          DateGreaterThan: { 'aws:TokenIssueTime': '2026-01-01T00:00:00Z' },
          'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] },
        },
      }),
    }],
  }))]);
  const req = { principal: R, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', resourceAccount: '111111111111' };
  const ok = { 'aws:MultiFactorAuthPresent': true, 'aws:MultiFactorAuthAge': 60, 'aws:TokenIssueTime': new Date('2026-06-01T00:00:00Z'), 'aws:TagKeys': ['a'] };
  test('booleans, numbers, Dates and arrays are converted to IAM strings', () => {
    const e = model.explain({ ...req, context: ok });
    expect(e.decision).toBe('Allowed');
    expect(e.context).toMatchObject({ 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': '60', 'aws:TokenIssueTime': '2026-06-01T00:00:00.000Z', 'aws:TagKeys': ['a'] });
  });
  test.each([
    ['no MFA', { 'aws:MultiFactorAuthPresent': false }],
    ['old MFA', { 'aws:MultiFactorAuthAge': 7200 }],
    ['token issued before the cut-off', { 'aws:TokenIssueTime': new Date('2025-12-31T00:00:00Z') }],
    ['a tag key outside the set', { 'aws:TagKeys': ['a', 'c'] }],
  ])('each condition counts: %s is denied', (_name, change) => {
    expect(model.check({ ...req, context: { ...ok, ...change } })).toBe('ImplicitlyDenied');
  });
  test('fails when a context value is not a string, boolean, number, Date or array', () => {
    expect(() => model.check({ ...req, context: { 'aws:SourceIp': { ip: '1.2.3.4' } as unknown as string } }))
      .toThrow("AccessModel: context key 'aws:SourceIp' has a value of type object; use a string, boolean, number, Date or an array of them.");
  });
  test('fails when a context key does not apply to the action', () => {
    expect(() => model.check({ ...req, context: { 'sts:ExternalId': 'x' } }))
      .toThrow('AccessModel: context key(s) sts:ExternalId do not apply to s3:GetObject on arn:aws:s3:::b/k, so iam-simulate ignores them; remove them (AWS would not send them with this request either).');
  });
});

describe('stacks the model was not given', () => {
  const template = single(roleWith({}), {
    Other: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'other', AssumeRolePolicyDocument: trust } },
    OtherPolicy: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: 'p', Roles: [{ Ref: 'Other' }],
        PolicyDocument: doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::ImportValue': 'Missing-BucketArn' } }),
      },
    },
  });
  const model = new AccessModel([template]);
  test('an import from a missing stack does not get in the way of a principal it does not concern', () => {
    expect(model.check({ principal: R, action: 'sts:AssumeRole', resource: 'arn:aws:iam::111111111111:role/other' })).toBe('ImplicitlyDenied');
  });
  test('fails when a policy of the principal imports from a stack the model was not given', () => {
    expect(() => model.check({ principal: 'arn:aws:iam::111111111111:role/other', action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', resourceAccount: '111111111111' }))
      .toThrow("AccessModel: Fn::ImportValue 'Missing-BucketArn' is not exported by any of the model's stacks (exports: none); pass the exporting stack to the AccessModel too.");
  });
});

describe('inputs the model rejects', () => {
  const model = new AccessModel([single(roleWith({}))]);
  test('fails when no stacks are given', () => {
    expect(() => new AccessModel([])).toThrow('AccessModel: give at least one stack, got an empty list.');
  });
  test('fails when a template account is not a 12-digit id', () => {
    expect(() => new AccessModel([{ stackName: 'X', template: {}, account: 'dev' }])).toThrow("AccessModel: stack 'X' has account 'dev', which is not a 12-digit account id; give the stack a concrete env.account.");
  });
  test('fails when a stack is given twice', () => {
    const s = single(roleWith({}));
    expect(() => new AccessModel([s, s])).toThrow("AccessModel: stack 'T' is given twice; pass each stack once.");
  });
  test('fails when the action is not service:Action', () => {
    expect(() => model.check({ principal: R, action: 'GetObject', resource: R })).toThrow('AccessModel: action must look like \'service:Action\', got "GetObject".');
  });
  test('fails when iam-simulate does not know the action', () => {
    expect(() => model.check({ principal: R, action: 's3:GetObjekt', resource: 'arn:aws:s3:::b/k', resourceAccount: '111111111111' }))
      .toThrow(/AccessModel: iam-simulate rejected the request s3:GetObjekt by arn:aws:sts::111111111111:assumed-role\/r\/access-model on arn:aws:s3:::b\/k: .*invalid.action/s);
  });
  test('fails when a policy of the stacks is invalid, naming it', () => {
    const bad = new AccessModel([single(roleWith({ Policies: [{ PolicyName: 'typo', PolicyDocument: doc({ Effect: 'Alow', Action: 's3:GetObject', Resource: '*' }) }] }))]);
    expect(() => bad.check({ principal: R, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', resourceAccount: '111111111111' }))
      .toThrow(/AWS::IAM::Role 'R' of stack 'T' inline typo[\s\S]*Effect/);
  });
  test('fails when the principal string is not an ARN', () => {
    expect(() => model.check({ principal: 'r', action: 's3:GetObject', resource: R })).toThrow("AccessModel: principal 'r' is not an IAM role, user, assumed-role or root ARN, nor a service principal (like 'lambda.amazonaws.com').");
  });
  test('fails when the principal ARN is not a role, user or root', () => {
    expect(() => model.check({ principal: 'arn:aws:iam::111111111111:group/g', action: 's3:GetObject', resource: R })).toThrow("AccessModel: principal 'arn:aws:iam::111111111111:group/g' is not an IAM role, user, assumed-role or root ARN.");
  });
  test('fails when the resource string is not an ARN', () => {
    expect(() => model.check({ principal: R, action: 's3:GetObject', resource: 'my-bucket/k' })).toThrow("AccessModel: resource 'my-bucket/k' is not an ARN; pass a construct of the stacks or an ARN.");
  });
  test('fails when an S3 ARN outside the stacks has no account', () => {
    expect(() => model.check({ principal: R, action: 's3:GetObject', resource: 'arn:aws:s3:::elsewhere/k' }))
      .toThrow("AccessModel: resource 'arn:aws:s3:::elsewhere/k' names no account and is not in the stacks; say who owns it with resourceAccount: '<12-digit id>'.");
  });
  test('fails when a role outside the stacks is to be assumed (its trust policy is unknown)', () => {
    expect(() => model.check({ principal: R, action: 'sts:AssumeRole', resource: 'arn:aws:iam::111111111111:role/elsewhere' }))
      .toThrow("AccessModel: arn:aws:iam::111111111111:role/elsewhere is not in the model's stacks, so its trust policy is unknown and sts:AssumeRole cannot be decided; pass the stack that defines it.");
  });
  test('fails when a KMS key outside the stacks is used (its key policy is unknown)', () => {
    expect(() => model.check({ principal: R, action: 'kms:Decrypt', resource: 'arn:aws:kms:us-east-1:111111111111:key/abc' }))
      .toThrow("AccessModel: arn:aws:kms:us-east-1:111111111111:key/abc is not in the model's stacks, so its key policy is unknown and kms:Decrypt cannot be decided; pass the stack that defines it.");
  });
  test('fails when resourceSuffix does not start with / or :', () => {
    expect(() => model.check({ principal: R, action: 's3:GetObject', resource: 'arn:aws:s3:::b', resourceAccount: '111111111111', resourceSuffix: 'k.txt' }))
      .toThrow("AccessModel: resourceSuffix must start with '/' or ':' (it is appended to the ARN), got 'k.txt'; for an object write '/k.txt'.");
  });
  test('fails when arnOfLogicalId names an unknown stack or resource', () => {
    expect(() => model.arnOfLogicalId('Nope', 'R')).toThrow("AccessModel: no stack named 'Nope' (stacks: T).");
    expect(() => model.arnOfLogicalId('T', 'Nope')).toThrow("AccessModel: stack 'T' has no resource 'Nope'.");
  });
});

describe('constructs the model rejects', () => {
  const app = testApp();
  const stack = new Stack(app, 'S');
  const other = new Stack(app, 'Other');
  const bucket = new s3.Bucket(stack, 'Bucket');
  const outsider = new iam.Role(other, 'Outsider', { assumedBy: new iam.AccountRootPrincipal() });
  const plain = new Construct(stack, 'Plain');
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
  const model = new AccessModel([stack]);
  test('fails when the principal is not a role or user', () => {
    expect(() => model.check({ principal: bucket, action: 's3:GetObject', resource: bucket })).toThrow(/AccessModel: principal AWS::S3::Bucket 'Bucket[0-9A-F]+' of stack 'S' is not an IAM role or user; requests are made by roles \(their sessions\) and users\./);
  });
  test('fails when a construct belongs to a stack the model was not given', () => {
    expect(() => model.check({ principal: outsider, action: 's3:GetObject', resource: bucket })).toThrow("AccessModel: the principal 'Other/Outsider' belongs to stack 'Other', which is not one of the model's stacks (S); pass that stack to the AccessModel too.");
  });
  test('fails when a construct is not a CloudFormation resource', () => {
    expect(() => model.check({ principal: role, action: 's3:GetObject', resource: plain })).toThrow("AccessModel: the resource 'S/Plain' is not a CloudFormation resource and no default child (id 'Resource') leads to one; pass the L1/L2 construct or its ARN as a string.");
  });
  test('fails when a construct was added after the stack was synthesized', () => {
    const late = new s3.Bucket(stack, 'Late');
    expect(() => model.arnOf(late)).toThrow(/AccessModel: the construct 'S\/Late' \(logical id Late[0-9A-F]+\) is not in the synthesized template of stack 'S'/);
  });
  test('fails when a construct comes from another App with a stack of the same name', () => {
    const otherApp = testApp();
    const twin = new iam.Role(new Stack(otherApp, 'S'), 'Twin', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => model.arnOf(twin)).toThrow("AccessModel: the construct 'S/Twin' belongs to a stack named 'S' that is not the Stack object the model was given (a construct of another App?); use constructs of the stacks passed to this AccessModel.");
  });
  test('an L1 resource works as well as its L2', () => {
    expect(model.arnOf(bucket.node.defaultChild as s3.CfnBucket)).toBe(model.arnOf(bucket));
  });
  test('an L3 whose main child (id Resource) is the L2 stands for it', () => {
    const app3 = testApp();
    const s3stack = new Stack(app3, 'L3');
    const wrapper = new Construct(s3stack, 'Wrapper');
    const inner = new s3.Bucket(wrapper, 'Resource');
    const l3Model = new AccessModel([s3stack]);
    expect(l3Model.arnOf(wrapper)).toBe(l3Model.arnOf(inner));
  });
});
