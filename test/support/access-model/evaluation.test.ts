import { AccessModel, TemplateInput } from './index';

// Known-answer tests on hand-written templates: every decision below follows from IAM's documented
// evaluation logic, and each group has a control case that flips when the policy under test is removed.

const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
const WORKLOADS = '111111111111';
const DEV = '222222222222';
const PROD = '333333333333';
const PARTNER = '444444444444';

function role(name: string, trust: object, extra: Record<string, unknown> = {}) {
  return { Type: 'AWS::IAM::Role', Properties: { RoleName: name, AssumeRolePolicyDocument: trust, ...extra } };
}
const lambdaTrust = doc({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' });

const workloads: TemplateInput = {
  stackName: 'Workloads',
  account: WORKLOADS,
  template: {
    Resources: {
      AppRole: role('app-role', lambdaTrust, {
        Policies: [{
          PolicyName: 'data',
          PolicyDocument: doc(
            { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::data-bucket/*' },
            { Effect: 'Deny', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data-bucket/locked/*' },
          ),
        }],
      }),
      Boundary: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: { ManagedPolicyName: 'read-only-boundary', PolicyDocument: doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }) },
      },
      BoundedAdmin: role('bounded-admin', lambdaTrust, {
        ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'],
        PermissionsBoundary: { Ref: 'Boundary' },
      }),
      Admin: role('admin', lambdaTrust, { ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] }),
      SharedBucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'shared-bucket' } },
      SharedBucketPolicy: {
        Type: 'AWS::S3::BucketPolicy',
        Properties: {
          Bucket: { Ref: 'SharedBucket' },
          PolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${DEV}:root` }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared-bucket/*' }),
        },
      },
      DataBucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'data-bucket' } },
      DataBucketPolicy: {
        Type: 'AWS::S3::BucketPolicy',
        Properties: {
          Bucket: { Ref: 'DataBucket' },
          PolicyDocument: doc({
            Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*',
            Resource: [{ 'Fn::GetAtt': ['DataBucket', 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['DataBucket', 'Arn'] }, '/*']] }],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        },
      },
      AppKey: {
        Type: 'AWS::KMS::Key',
        Properties: { KeyPolicy: doc({ Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: 'kms:*', Resource: '*' }) },
      },
      LockedKey: {
        Type: 'AWS::KMS::Key',
        Properties: { KeyPolicy: doc({ Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': ['Admin', 'Arn'] } }, Action: 'kms:*', Resource: '*' }) },
      },
      KeyUser: role('key-user', lambdaTrust, {
        Policies: [{ PolicyName: 'kms', PolicyDocument: doc({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }) }],
      }),
      SameAccountCaller: role('same-account-caller', lambdaTrust),
      TrustsCallerByArn: role('trusts-caller-by-arn', doc({ Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': ['SameAccountCaller', 'Arn'] } }, Action: 'sts:AssumeRole' })),
      TrustsAccountRoot: role('trusts-account-root', doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${WORKLOADS}:root` }, Action: 'sts:AssumeRole' })),
    },
  },
};

const dev: TemplateInput = {
  stackName: 'Dev',
  account: DEV,
  region: 'eu-west-1',
  template: {
    Resources: {
      Deployer: role('deployer', doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${DEV}:root` }, Action: 'sts:AssumeRole' })),
      DeployerPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: 'assume-prod',
          Roles: [{ Ref: 'Deployer' }],
          PolicyDocument: doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${PROD}:role/prod-deploy` }),
        },
      },
      Bystander: role('bystander', doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${DEV}:root` }, Action: 'sts:AssumeRole' })),
    },
  },
};

const prod: TemplateInput = {
  stackName: 'Prod',
  account: PROD,
  region: 'eu-west-1',
  template: {
    Resources: {
      ProdDeploy: role('prod-deploy', doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${DEV}:root` }, Action: 'sts:AssumeRole' })),
      PartnerAccess: role('partner-access', doc({
        Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${PARTNER}:root` }, Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 'ext-123' } },
      })),
    },
  },
};

const model = new AccessModel([workloads, dev, prod]);
const appRole = `arn:aws:iam::${WORKLOADS}:role/app-role`;

describe('explicit deny', () => {
  test('an explicit deny beats an allow of the same policy', () => {
    expect(model.check({ principal: appRole, action: 's3:PutObject', resource: 'arn:aws:s3:::data-bucket/locked/a.txt' })).toBe('ExplicitlyDenied');
  });
  test('the allow works where the deny does not reach', () => {
    expect(model.check({ principal: appRole, action: 's3:PutObject', resource: 'arn:aws:s3:::data-bucket/open/a.txt' })).toBe('Allowed');
  });
  test('an action nothing allows is implicitly denied', () => {
    expect(model.check({ principal: appRole, action: 's3:DeleteObject', resource: 'arn:aws:s3:::data-bucket/open/a.txt' })).toBe('ImplicitlyDenied');
  });
});

describe('permissions boundary', () => {
  const boundedAdmin = `arn:aws:iam::${WORKLOADS}:role/bounded-admin`;
  test('limits an AdministratorAccess allow to what the boundary allows', () => {
    expect(model.check({ principal: boundedAdmin, action: 's3:PutObject', resource: 'arn:aws:s3:::data-bucket/a' })).toBe('ImplicitlyDenied');
  });
  test('lets through what both the identity policy and the boundary allow', () => {
    expect(model.check({ principal: boundedAdmin, action: 's3:GetObject', resource: 'arn:aws:s3:::data-bucket/a' })).toBe('Allowed');
  });
  test('the same AdministratorAccess role without a boundary may do it', () => {
    expect(model.check({ principal: `arn:aws:iam::${WORKLOADS}:role/admin`, action: 's3:PutObject', resource: 'arn:aws:s3:::data-bucket/a' })).toBe('Allowed');
  });
  test('explain names the boundary', () => {
    const e = model.explain({ principal: boundedAdmin, action: 's3:PutObject', resource: 'arn:aws:s3:::data-bucket/a' });
    expect(e.permissionsBoundary?.name).toBe("AWS::IAM::ManagedPolicy 'Boundary' of stack 'Workloads'");
    expect(e.denials).toContainEqual(expect.objectContaining({ policyType: 'pb', denialType: 'Implicit', blocking: true }));
    expect(e.text).toMatch(/denied by pb/);
  });
});

describe('service control policies', () => {
  const denyGet = doc({ Effect: 'Deny', Action: 's3:GetObject', Resource: '*' });
  const request = { principal: appRole, action: 's3:GetObject', resource: 'arn:aws:s3:::data-bucket/a' } as const;
  test('an SCP deny beats the identity allow', () => {
    expect(new AccessModel([workloads], { serviceControlPolicies: [denyGet] }).check(request)).toBe('ExplicitlyDenied');
  });
  test('without the SCP the request is allowed', () => {
    expect(new AccessModel([workloads]).check(request)).toBe('Allowed');
  });
  test('an SCP aimed at another account does not apply', () => {
    expect(new AccessModel([workloads], { serviceControlPolicies: [{ document: denyGet, accounts: [DEV] }] }).check(request)).toBe('Allowed');
  });
  test('SCPs never apply to the management account', () => {
    expect(new AccessModel([workloads], { serviceControlPolicies: [denyGet], managementAccount: WORKLOADS }).check(request)).toBe('Allowed');
  });
  test('an AWS::Organizations::Policy SCP in the stacks applies to the accounts it targets', () => {
    const org: TemplateInput = {
      stackName: 'Org',
      account: '999999999999',
      template: {
        Resources: {
          DenyGet: {
            Type: 'AWS::Organizations::Policy',
            Properties: { Name: 'deny-get', Type: 'SERVICE_CONTROL_POLICY', Content: JSON.stringify(denyGet), TargetIds: [WORKLOADS] },
          },
        },
      },
    };
    const withOrg = new AccessModel([workloads, org]);
    expect(withOrg.check(request)).toBe('ExplicitlyDenied');
    expect(withOrg.explain(request).serviceControlPolicies).toEqual(['FullAWSAccess', "AWS::Organizations::Policy 'DenyGet' of stack 'Org' (deny-get)"]);
  });
  test('an SCP in the stacks aimed at an OU applies to every account (OU membership is not modelled)', () => {
    const org: TemplateInput = {
      stackName: 'Org',
      account: '999999999999',
      template: {
        Resources: {
          Workloads: { Type: 'AWS::Organizations::OrganizationalUnit', Properties: { Name: 'workloads', ParentId: 'r-abcd' } },
          DenyGet: { Type: 'AWS::Organizations::Policy', Properties: { Name: 'deny-get', Type: 'SERVICE_CONTROL_POLICY', Content: denyGet, TargetIds: [{ Ref: 'Workloads' }] } },
          DenyGetElsewhere: { Type: 'AWS::Organizations::Policy', Properties: { Name: 'deny-elsewhere', Type: 'SERVICE_CONTROL_POLICY', Content: denyGet, TargetIds: [DEV] } },
        },
      },
    };
    const e = new AccessModel([workloads, org]).explain(request);
    expect(e.decision).toBe('ExplicitlyDenied');
    expect(e.serviceControlPolicies).toEqual(['FullAWSAccess', "AWS::Organizations::Policy 'DenyGet' of stack 'Org' (deny-get)"]);
  });
  describe('organizationUnits says which accounts an OU holds', () => {
    const tree: TemplateInput = {
      stackName: 'Tree',
      account: '999999999999',
      template: {
        Resources: {
          Workloads: { Type: 'AWS::Organizations::OrganizationalUnit', Properties: { Name: 'Workloads', ParentId: 'r-abcd' } },
          Prod: { Type: 'AWS::Organizations::OrganizationalUnit', Properties: { Name: 'Prod', ParentId: { Ref: 'Workloads' } } },
          Sandbox: { Type: 'AWS::Organizations::OrganizationalUnit', Properties: { Name: 'Sandbox', ParentId: 'r-abcd' } },
          DenyGet: { Type: 'AWS::Organizations::Policy', Properties: { Name: 'deny-get', Type: 'SERVICE_CONTROL_POLICY', Content: denyGet, TargetIds: [{ Ref: 'Workloads' }] } },
        },
      },
    };
    test('an SCP on an OU binds the accounts of its child OU', () => {
      expect(new AccessModel([workloads, tree], { organizationUnits: { Workloads: [], Prod: [WORKLOADS], Sandbox: [DEV] } }).check(request)).toBe('ExplicitlyDenied');
    });
    test('... and not an account of a sibling OU', () => {
      expect(new AccessModel([workloads, tree], { organizationUnits: { Workloads: [], Prod: [PROD], Sandbox: [WORKLOADS] } }).check(request)).toBe('Allowed');
    });
    test('an OU whose child OU is not listed still binds every account', () => {
      expect(new AccessModel([workloads, tree], { organizationUnits: { Workloads: [DEV] } }).check(request)).toBe('ExplicitlyDenied');
    });
  });
  test('an SCP does not bind a service principal', () => {
    const m = new AccessModel([workloads], { serviceControlPolicies: [doc({ Effect: 'Deny', Action: 'sts:AssumeRole', Resource: '*' })] });
    expect(m.check({ principal: 'lambda.amazonaws.com', action: 'sts:AssumeRole', resource: appRole })).toBe('Allowed');
  });
});

describe('sts:ExternalId on a third-party trust', () => {
  const partner = `arn:aws:iam::${PARTNER}:role/partner-integration`;
  const partnerAccess = `arn:aws:iam::${PROD}:role/partner-access`;
  test('the right external id is allowed', () => {
    expect(model.check({ principal: partner, action: 'sts:AssumeRole', resource: partnerAccess, context: { 'sts:ExternalId': 'ext-123' } })).toBe('Allowed');
  });
  test('a wrong external id is denied', () => {
    expect(model.check({ principal: partner, action: 'sts:AssumeRole', resource: partnerAccess, context: { 'sts:ExternalId': 'ext-124' } })).toBe('ImplicitlyDenied');
  });
  test('a missing external id is denied', () => {
    expect(model.check({ principal: partner, action: 'sts:AssumeRole', resource: partnerAccess })).toBe('ImplicitlyDenied');
  });
  test('another account with the right external id is denied', () => {
    expect(model.check({ principal: 'arn:aws:iam::555555555555:role/x', action: 'sts:AssumeRole', resource: partnerAccess, context: { 'sts:ExternalId': 'ext-123' } })).toBe('ImplicitlyDenied');
  });
});

describe('aws:SecureTransport on a bucket policy', () => {
  const req = { principal: appRole, action: 's3:GetObject', resource: 'arn:aws:s3:::data-bucket/a' };
  test('plain HTTP is explicitly denied by the bucket policy', () => {
    const e = model.explain({ ...req, context: { 'aws:SecureTransport': false } });
    expect(e.decision).toBe('ExplicitlyDenied');
    expect(e.denials).toEqual([expect.objectContaining({ policyType: 'resource', denialType: 'Explicit' })]);
  });
  test('HTTPS is allowed', () => {
    expect(model.check({ ...req, context: { 'aws:SecureTransport': true } })).toBe('Allowed');
  });
  test('requests are HTTPS unless the context says otherwise', () => {
    expect(model.explain(req).context['aws:SecureTransport']).toBe('true');
    expect(model.check(req)).toBe('Allowed');
  });
  test('a request without the key at all is not caught by a Bool deny (IAM semantics)', () => {
    const e = model.explain({ ...req, context: { 'aws:SecureTransport': null } });
    expect(e.context).not.toHaveProperty('aws:SecureTransport');
    expect(e.decision).toBe('Allowed');
  });
  test('the deny also binds an administrator', () => {
    expect(model.check({ ...req, principal: `arn:aws:iam::${WORKLOADS}:role/admin`, context: { 'aws:SecureTransport': 'false' } })).toBe('ExplicitlyDenied');
  });
});

describe('cross-account role assumption needs both sides', () => {
  const prodDeploy = `arn:aws:iam::${PROD}:role/prod-deploy`;
  test('trusted account and identity policy: allowed', () => {
    expect(model.check({ principal: `arn:aws:iam::${DEV}:role/deployer`, action: 'sts:AssumeRole', resource: prodDeploy })).toBe('Allowed');
  });
  test('trusted account but no identity policy: denied', () => {
    expect(model.check({ principal: `arn:aws:iam::${DEV}:role/bystander`, action: 'sts:AssumeRole', resource: prodDeploy })).toBe('ImplicitlyDenied');
  });
  test('identity policy but an untrusted account: denied', () => {
    // the external principal holds AdministratorAccess by default: only the trust policy says no
    expect(model.check({ principal: 'arn:aws:iam::555555555555:role/admin', action: 'sts:AssumeRole', resource: prodDeploy })).toBe('ImplicitlyDenied');
  });
  test('the request comes from the role session, evaluated cross-account', () => {
    const e = model.explain({ principal: `arn:aws:iam::${DEV}:role/deployer`, action: 'sts:AssumeRole', resource: prodDeploy });
    expect(e.principal).toBe(`arn:aws:sts::${DEV}:assumed-role/deployer/access-model`);
    expect(e.result.resultType === 'single' && e.result.result.analysis.sameAccount).toBe(false);
  });
});

describe('cross-account bucket access needs both sides', () => {
  test('bucket policy trusts the account but the caller\'s identity policy does not allow: denied', () => {
    const e = model.explain({ principal: 'arn:aws:iam::222222222222:role/deployer', action: 's3:GetObject', resource: 'arn:aws:s3:::shared-bucket/a' });
    // deployer's own policy only allows sts:AssumeRole: identity side missing
    expect(e.decision).toBe('ImplicitlyDenied');
    expect(e.denials).toContainEqual(expect.objectContaining({ policyType: 'identity' }));
  });
  test('an external admin of the trusted account may read', () => {
    expect(model.check({ principal: `arn:aws:iam::${DEV}:role/not-in-stacks`, action: 's3:GetObject', resource: 'arn:aws:s3:::shared-bucket/a' })).toBe('Allowed');
  });
  test('an admin of another account may not: the bucket policy does not name it', () => {
    expect(model.check({ principal: 'arn:aws:iam::555555555555:role/admin', action: 's3:GetObject', resource: 'arn:aws:s3:::shared-bucket/a' })).toBe('ImplicitlyDenied');
  });
  test('the bucket policy grants only what it lists', () => {
    expect(model.check({ principal: `arn:aws:iam::${DEV}:role/not-in-stacks`, action: 's3:PutObject', resource: 'arn:aws:s3:::shared-bucket/a' })).toBe('ImplicitlyDenied');
  });
});

describe('same-account role assumption', () => {
  const caller = `arn:aws:iam::${WORKLOADS}:role/same-account-caller`;
  test('a trust policy naming the caller role is enough without an identity policy', () => {
    expect(model.check({ principal: caller, action: 'sts:AssumeRole', resource: `arn:aws:iam::${WORKLOADS}:role/trusts-caller-by-arn` })).toBe('Allowed');
  });
  test('a trust policy naming only the account root still needs an identity policy', () => {
    expect(model.check({ principal: caller, action: 'sts:AssumeRole', resource: `arn:aws:iam::${WORKLOADS}:role/trusts-account-root` })).toBe('ImplicitlyDenied');
  });
  test('with an identity policy the account-root trust lets the caller in', () => {
    expect(model.check({ principal: `arn:aws:iam::${WORKLOADS}:role/admin`, action: 'sts:AssumeRole', resource: `arn:aws:iam::${WORKLOADS}:role/trusts-account-root` })).toBe('Allowed');
  });
});

describe('KMS key policy', () => {
  const appKey = () => model.arnOfLogicalId('Workloads', 'AppKey');
  const lockedKey = () => model.arnOfLogicalId('Workloads', 'LockedKey');
  const keyUser = `arn:aws:iam::${WORKLOADS}:role/key-user`;
  test('a key policy delegating to the account root lets an IAM policy grant use', () => {
    expect(model.check({ principal: keyUser, action: 'kms:Decrypt', resource: appKey() })).toBe('Allowed');
  });
  test('delegation alone grants nothing without an IAM policy', () => {
    expect(model.check({ principal: `arn:aws:iam::${WORKLOADS}:role/same-account-caller`, action: 'kms:Decrypt', resource: appKey() })).toBe('ImplicitlyDenied');
  });
  test('a key policy that does not delegate to IAM ignores IAM allows', () => {
    expect(model.check({ principal: keyUser, action: 'kms:Decrypt', resource: lockedKey() })).toBe('ImplicitlyDenied');
  });
  test('the principal the key policy names is allowed', () => {
    expect(model.check({ principal: `arn:aws:iam::${WORKLOADS}:role/admin`, action: 'kms:Decrypt', resource: lockedKey() })).toBe('Allowed');
  });
});

describe('kms:EncryptionContext:<key> conditions (carried past iam-simulate, which drops colon-variable keys)', () => {
  // S3 calls KMS with the encryption context aws:s3:arn = the bucket's (or object's) ARN
  const storage: TemplateInput = {
    stackName: 'Storage',
    account: WORKLOADS,
    template: {
      Resources: {
        Key: {
          Type: 'AWS::KMS::Key',
          Properties: {
            KeyPolicy: doc(
              { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${WORKLOADS}:root` }, Action: 'kms:*', Resource: '*' },
              {
                Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:Encrypt', Resource: '*',
                Condition: { StringEquals: { 'kms:EncryptionContext:purpose': 'forbidden' } },
              },
            ),
          },
        },
        Replicator: role('replicator', doc({ Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'sts:AssumeRole' }), {
          Policies: [{
            PolicyName: 'kms',
            PolicyDocument: doc({
              Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt'], Resource: '*',
              Condition: { StringLike: { 'kms:EncryptionContext:aws:s3:arn': ['arn:aws:s3:::bucket-a', 'arn:aws:s3:::bucket-a/*'] } },
            }),
          }],
        }),
      },
    },
  };
  const kmsModel = new AccessModel([storage]);
  const replicator = `arn:aws:iam::${WORKLOADS}:role/replicator`;
  const decrypt = (context: Record<string, string>) => kmsModel.check({
    principal: replicator, action: 'kms:Decrypt', resource: kmsModel.arnOfLogicalId('Storage', 'Key'), context,
  });

  test('a matching context (bucket ARN or an object ARN) is allowed', () => {
    expect(decrypt({ 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::bucket-a' })).toBe('Allowed');
    expect(decrypt({ 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::bucket-a/reports/x.csv' })).toBe('Allowed');
  });
  test('another bucket\'s context, or none, is not', () => {
    expect(decrypt({ 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::bucket-b' })).toBe('ImplicitlyDenied');
    expect(decrypt({ 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::bucket-ab' })).toBe('ImplicitlyDenied');
    expect(decrypt({})).toBe('ImplicitlyDenied');
  });
  test('another context key does not stand in for the one the policy names', () => {
    expect(decrypt({ 'kms:EncryptionContext:aws:s3:bucket': 'arn:aws:s3:::bucket-a' })).toBe('ImplicitlyDenied');
  });
  test('a key-policy deny on a context value applies, and only to that value', () => {
    const encrypt = (purpose: string) => kmsModel.check({
      principal: replicator, action: 'kms:Encrypt', resource: kmsModel.arnOfLogicalId('Storage', 'Key'),
      context: { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::bucket-a', 'kms:EncryptionContext:purpose': purpose },
    });
    expect(encrypt('forbidden')).toBe('ExplicitlyDenied');
    expect(encrypt('backup')).toBe('Allowed');
  });
});

describe('a resource policy naming an account with an aws:PrincipalArn condition', () => {
  // how a policy names a role of another account that may not exist yet (S3 and KMS reject a missing principal)
  const shared: TemplateInput = {
    stackName: 'Shared',
    account: PROD,
    template: {
      Resources: {
        Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'replica-bucket' } },
        BucketPolicy: {
          Type: 'AWS::S3::BucketPolicy',
          Properties: {
            Bucket: { Ref: 'Bucket' },
            PolicyDocument: doc({
              Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${DEV}:root` }, Action: 's3:ReplicateObject', Resource: 'arn:aws:s3:::replica-bucket/*',
              Condition: { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${DEV}:role/replication` } },
            }),
          },
        },
      },
    },
  };
  const sharedModel = new AccessModel([shared]);
  const replicate = (principal: string) => sharedModel.check({ principal, action: 's3:ReplicateObject', resource: 'arn:aws:s3:::replica-bucket/k' });
  test('the named role of that account is allowed', () => {
    expect(replicate(`arn:aws:iam::${DEV}:role/replication`)).toBe('Allowed');
  });
  test('another role of the same account is not, nor the same role name in another account', () => {
    expect(replicate(`arn:aws:iam::${DEV}:role/admin`)).toBe('ImplicitlyDenied');
    expect(replicate(`arn:aws:iam::${PARTNER}:role/replication`)).toBe('ImplicitlyDenied');
  });
});
