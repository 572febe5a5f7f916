import { IntrinsicResolver } from './intrinsics';
import { AccessModel, TemplateInput } from './index';
import { loadStacks } from './stack-set';

const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
const trust = doc({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' });

const data: TemplateInput = {
  stackName: 'Data',
  account: '111111111111',
  region: 'eu-central-1',
  template: {
    Parameters: { Env: { Type: 'String', Default: 'prod' } },
    Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } },
    Mappings: { Suffix: { prod: { value: 'live' } } },
    Resources: {
      Bucket: { Type: 'AWS::S3::Bucket' },
      OtherBucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'other-bucket' } },
      AppSecret: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: { 'Fn::Join': ['/', ['app', { 'Fn::FindInMap': ['Suffix', { Ref: 'Env' }, 'value'] }]] } } },
      PathRole: { Type: 'AWS::IAM::Role', Properties: { Path: '/service/', RoleName: 'pathed', AssumeRolePolicyDocument: trust } },
      NoNameRole: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trust } },
      Key: { Type: 'AWS::KMS::Key', Properties: {} },
      Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'jobs' } },
    },
    Outputs: {
      BucketArn: { Value: { 'Fn::GetAtt': ['Bucket', 'Arn'] }, Export: { Name: { 'Fn::Sub': '${AWS::StackName}-BucketArn' } } },
    },
  },
};

const app: TemplateInput = {
  stackName: 'App',
  account: '111111111111',
  region: 'eu-central-1',
  template: {
    Resources: {
      Reader: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: 'reader',
          AssumeRolePolicyDocument: trust,
          Policies: [{
            PolicyName: 'p',
            PolicyDocument: doc(
              // cross-stack: the bucket ARN comes from the Data stack's export
              { Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [{ 'Fn::ImportValue': 'Data-BucketArn' }, '/*']] } },
              // pseudo parameters in Fn::Sub
              { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:app/*' } },
              // Fn::Select over Fn::Split
              { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::Select': [1, { 'Fn::Split': [',', 'arn:aws:sqs:eu-central-1:111111111111:nope,arn:aws:sqs:eu-central-1:111111111111:jobs'] }] } },
            ),
          }],
        },
      },
    },
  },
};

const stacks = loadStacks([data, app], { account: '999999999999', region: 'us-west-2' });
const [dataStack] = stacks;
const resolver = new IntrinsicResolver(stacks);
const model = new AccessModel([data, app]);
const reader = 'arn:aws:iam::111111111111:role/reader';

describe('resolution drives decisions', () => {
  test('Fn::ImportValue of another stack\'s export grants the exported bucket', () => {
    expect(model.check({ principal: reader, action: 's3:GetObject', resource: model.arnOfLogicalId('Data', 'Bucket'), resourceSuffix: '/k' })).toBe('Allowed');
  });
  test('... and not another bucket', () => {
    expect(model.check({ principal: reader, action: 's3:GetObject', resource: 'arn:aws:s3:::other-bucket/k' })).toBe('ImplicitlyDenied');
  });
  test('Fn::Sub with pseudo parameters matches a secret of the same account and region', () => {
    expect(model.check({ principal: reader, action: 'secretsmanager:GetSecretValue', resource: model.arnOfLogicalId('Data', 'AppSecret') })).toBe('Allowed');
  });
  test('... and not one in another region', () => {
    expect(model.check({ principal: reader, action: 'secretsmanager:GetSecretValue', resource: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:app/live-AbCdEf' })).toBe('ImplicitlyDenied');
  });
  test('Fn::Select / Fn::Split pick the right element', () => {
    expect(model.check({ principal: reader, action: 'sqs:SendMessage', resource: model.arnOfLogicalId('Data', 'Queue') })).toBe('Allowed');
    expect(model.check({ principal: reader, action: 'sqs:SendMessage', resource: 'arn:aws:sqs:eu-central-1:111111111111:nope' })).toBe('ImplicitlyDenied');
  });
});

describe('deterministic ARNs and names', () => {
  test('a bucket without a name gets <stack>-<logicalId>, lower case', () => {
    expect(model.arnOfLogicalId('Data', 'Bucket')).toBe('arn:aws:s3:::data-bucket');
  });
  test('a role keeps its path and name', () => {
    expect(model.arnOfLogicalId('Data', 'PathRole')).toBe('arn:aws:iam::111111111111:role/service/pathed');
  });
  test('a role without a name gets <stack>-<logicalId>', () => {
    expect(model.arnOfLogicalId('Data', 'NoNameRole')).toBe('arn:aws:iam::111111111111:role/Data-NoNameRole');
  });
  test('a secret ARN ends in a stable 6-character suffix after its (resolved) name', () => {
    const arn = model.arnOfLogicalId('Data', 'AppSecret');
    expect(arn).toMatch(/^arn:aws:secretsmanager:eu-central-1:111111111111:secret:app\/live-[A-Za-z0-9]{6}$/);
    expect(new AccessModel([data]).arnOfLogicalId('Data', 'AppSecret')).toBe(arn);
  });
  test('a key id is a stable UUID; Ref of a key is its id, GetAtt Arn its ARN', () => {
    const keyId = resolver.resolve(dataStack, { Ref: 'Key' });
    expect(keyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(resolver.resolve(dataStack, { 'Fn::GetAtt': ['Key', 'Arn'] })).toBe(`arn:aws:kms:eu-central-1:111111111111:key/${keyId}`);
  });
  test('Ref of a queue is its URL', () => {
    expect(resolver.resolve(dataStack, { Ref: 'Queue' })).toBe('https://sqs.eu-central-1.amazonaws.com/111111111111/jobs');
  });
  test('stacks without an account or region get the defaults', () => {
    const [agnostic] = loadStacks([{ stackName: 'X', template: {} }], { account: '123456789012', region: 'ap-southeast-2' });
    expect([agnostic.account, agnostic.region, agnostic.partition]).toEqual(['123456789012', 'ap-southeast-2', 'aws']);
  });
  test('a China region gets the aws-cn partition and URL suffix', () => {
    const [cn] = loadStacks([{ stackName: 'X', template: {}, region: 'cn-north-1' }], { account: '123456789012', region: 'us-east-1' });
    expect(resolver.resolve(cn, { 'Fn::Sub': '${AWS::Partition} ${AWS::URLSuffix}' })).toBe('aws-cn amazonaws.com.cn');
  });
});

describe('intrinsic functions', () => {
  const r = (v: unknown) => resolver.resolve(dataStack, v);
  test('Fn::Sub: pseudo parameters, Ref, GetAtt, variables and escaped literals', () => {
    expect(r({ 'Fn::Sub': '${AWS::Region}/${AWS::AccountId}/${OtherBucket}/${OtherBucket.Arn}/${!Literal}' }))
      .toBe('eu-central-1/111111111111/other-bucket/arn:aws:s3:::other-bucket/${Literal}');
    expect(r({ 'Fn::Sub': ['${A}-${B}', { A: 'x', B: { Ref: 'OtherBucket' } }] })).toBe('x-other-bucket');
  });
  test('Fn::Join with nested intrinsics', () => {
    expect(r({ 'Fn::Join': [':', ['a', { Ref: 'AWS::Partition' }, { 'Fn::GetAtt': 'OtherBucket.Arn' }]] })).toBe('a:aws:arn:aws:s3:::other-bucket');
  });
  test('Fn::If, Conditions and AWS::NoValue', () => {
    expect(r({ 'Fn::If': ['IsProd', 'yes', 'no'] })).toBe('yes');
    expect(r({ a: 1, b: { 'Fn::If': ['IsProd', { Ref: 'AWS::NoValue' }, 2] }, c: [1, { Ref: 'AWS::NoValue' }] })).toEqual({ a: 1, c: [1] });
  });
  test('parameters use their default unless given', () => {
    expect(r({ Ref: 'Env' })).toBe('prod');
    const [s] = loadStacks([data], { account: '1', region: 'r' });
    expect(new IntrinsicResolver([s], { Env: 'dev' }).resolve(s, { 'Fn::If': ['IsProd', 'yes', 'no'] })).toBe('no');
  });
  test('Fn::GetAtt of an attribute the model does not know gives a recognisable placeholder', () => {
    expect(r({ 'Fn::GetAtt': ['Queue', 'SomethingElse'] })).toBe('Queue.SomethingElse');
  });
  test('Fn::GetStackOutput (weak cross-stack references) reads the named stack\'s output in its region', () => {
    expect(r({ 'Fn::GetStackOutput': { StackName: 'Data', Region: 'eu-central-1', OutputName: 'BucketArn' } })).toBe(model.arnOfLogicalId('Data', 'Bucket'));
  });
  test('fails when Fn::GetStackOutput names a stack of another region or an output it lacks', () => {
    expect(() => r({ 'Fn::GetStackOutput': { StackName: 'Data', Region: 'us-east-1', OutputName: 'BucketArn' } }))
      .toThrow("AccessModel: Fn::GetStackOutput names output 'BucketArn' of stack 'Data' in us-east-1, which is not one of the model's stacks; pass the producing stack to the AccessModel too.");
    expect(() => r({ 'Fn::GetStackOutput': { StackName: 'Data', Region: 'eu-central-1', OutputName: 'Nope' } }))
      .toThrow("AccessModel: Fn::GetStackOutput names output 'Nope' of stack 'Data' in eu-central-1, which has no such output; pass the producing stack to the AccessModel too.");
  });
  test('fails when Fn::ImportValue names an export no stack declares', () => {
    expect(() => r({ 'Fn::ImportValue': 'Nope' })).toThrow("AccessModel: Fn::ImportValue 'Nope' is not exported by any of the model's stacks (exports: Data-BucketArn); pass the exporting stack to the AccessModel too.");
  });
  test('fails when Ref names nothing', () => {
    expect(() => r({ Ref: 'Missing' })).toThrow("AccessModel: Ref to 'Missing', which is not a resource, parameter or pseudo parameter of stack 'Data'.");
  });
  test('fails when Fn::GetAtt names a missing resource', () => {
    expect(() => r({ 'Fn::GetAtt': ['Missing', 'Arn'] })).toThrow("AccessModel: Fn::GetAtt of 'Missing.Arn', but stack 'Data' has no resource 'Missing'.");
  });
  test('fails when an intrinsic is not supported', () => {
    expect(() => r({ 'Fn::Cidr': ['10.0.0.0/16', 2, 8] })).toThrow(/cannot resolve \{"Fn::Cidr".* at value in stack 'Data': unsupported intrinsic function Fn::Cidr/);
  });
  test('fails when Fn::Select is out of range', () => {
    expect(() => r({ 'Fn::Select': [3, ['a']] })).toThrow(/Fn::Select index 3 is outside the list of 1/);
  });
  test('fails when a parameter without default is referenced and not given', () => {
    const [s] = loadStacks([{ stackName: 'P', template: { Parameters: { Name: { Type: 'String' } } } }], { account: '111111111111', region: 'us-east-1' });
    expect(() => new IntrinsicResolver([s]).resolve(s, { Ref: 'Name' })).toThrow("AccessModel: parameter 'Name' of stack 'P' has no default; pass it in options.parameters.");
  });
});

test('Ref of a SecretTargetAttachment is the attached secret\'s ARN, as in CloudFormation', () => {
  const input: TemplateInput = {
    stackName: 'Db',
    account: '111111111111',
    region: 'eu-central-1',
    template: {
      Resources: {
        MasterSecret: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: 'db/master' } },
        OtherSecret: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: 'db/other' } },
        Attachment: { Type: 'AWS::SecretsManager::SecretTargetAttachment', Properties: { SecretId: { Ref: 'MasterSecret' }, TargetId: 'db-1', TargetType: 'AWS::RDS::DBInstance' } },
        Reader: {
          Type: 'AWS::IAM::Role',
          Properties: {
            RoleName: 'master-reader',
            AssumeRolePolicyDocument: trust,
            Policies: [{ PolicyName: 'p', PolicyDocument: doc({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: 'Attachment' } }) }],
          },
        },
      },
    },
  };
  const model = new AccessModel([input]);
  const reader = 'arn:aws:iam::111111111111:role/master-reader';
  expect(model.check({ principal: reader, action: 'secretsmanager:GetSecretValue', resource: model.arnOfLogicalId('Db', 'MasterSecret') })).toBe('Allowed');
  expect(model.check({ principal: reader, action: 'secretsmanager:GetSecretValue', resource: model.arnOfLogicalId('Db', 'OtherSecret') })).toBe('ImplicitlyDenied');
});
