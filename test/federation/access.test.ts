import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { SecureKey } from '../../lib/common';
import { AppIdentity, AppIdentityProps, RoleSelection, UserDataAccess } from '../../lib/federation';
import { AccessModel } from '../support/access-model';
import { FLAG_SETS, FeatureFlags, testStack } from '../support/app';

/**
 * Effective permissions of an AppIdentity's roles, checked the way IAM decides them: the per-user
 * folder (the identity id substituted into ${cognito-identity.amazonaws.com:sub}, as IAM does for the
 * session), the guest role, and the trust policies that decide which Cognito identities get which role.
 */
const ALICE = 'us-east-1:0f8fad5b-d9cb-469f-a165-70867728950e';
const BOB = 'us-east-1:7c9e6679-7425-40de-944b-e07fc1f90ae7';
const GUEST = 'us-east-1:9d2a1b44-1c3e-4f5a-8b6c-7d8e9f0a1b2c';
const COGNITO = 'cognito-identity.amazonaws.com';
const S3_VIA = 's3.us-east-1.amazonaws.com';

function build(featureFlags: FeatureFlags = 'recommended', props: AppIdentityProps = {}, access?: UserDataAccess, more?: (stack: Stack, identity: AppIdentity) => void) {
  const stack = testStack('App', { featureFlags });
  const key = new SecureKey(stack, 'DataKey');
  const bucket = new s3.Bucket(stack, 'Data', { encryptionKey: key, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
  // what guests may do: read the public catalogue, nothing else
  const publicRead = new iam.ManagedPolicy(stack, 'PublicRead', {
    statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('public/*')] })],
  });
  const identity = new AppIdentity(stack, 'Identity', {
    groups: [{ groupName: 'admins', precedence: 1 }, { groupName: 'staff', precedence: 2 }],
    allowGuestAccess: true,
    guestManagedPolicies: [publicRead],
    ...props,
  });
  identity.grantUserPrefix(bucket, { access });
  // a role of the account that Cognito must never hand out (a control: it may do everything)
  const admin = new iam.Role(stack, 'AccountAdmin', {
    assumedBy: new iam.AccountRootPrincipal(),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')],
  });
  more?.(stack, identity);
  const model = new AccessModel([stack]);
  const poolId = model.arnOf(identity.identityPool).split('identitypool/')[1];
  return { stack, key, bucket, identity, admin, model, poolId };
}

/** What a Cognito session of `role` for identity `sub` may do with `key` of the bucket. */
function s3Check(t: ReturnType<typeof build>, role: iam.IRole, sub: string, action: string, objectKey: string) {
  return t.model.check({ principal: role, action, resource: t.bucket, resourceSuffix: `/${objectKey}`, context: { [`${COGNITO}:sub`]: sub } });
}

function listCheck(t: ReturnType<typeof build>, role: iam.IRole, sub: string, prefix: string | null) {
  return t.model.check({ principal: role, action: 's3:ListBucket', resource: t.bucket, context: { [`${COGNITO}:sub`]: sub, 's3:prefix': prefix } });
}

/** Cognito's sts:AssumeRoleWithWebIdentity for an identity of pool `aud` whose `amr` is given. */
function assume(t: ReturnType<typeof build>, role: iam.IRole, aud: string, amr: 'authenticated' | 'unauthenticated') {
  return t.model.check({
    principal: COGNITO, action: 'sts:AssumeRoleWithWebIdentity', resource: role,
    context: { [`${COGNITO}:aud`]: aud, [`${COGNITO}:amr`]: amr, [`${COGNITO}:sub`]: amr === 'authenticated' ? ALICE : GUEST },
  });
}

describe.each(FLAG_SETS)('per-user folders (grantUserPrefix), %s feature flags', (flags) => {
  const t = build(flags);
  const signedIn = () => [t.identity.authenticatedRole, t.identity.groupRole('admins'), t.identity.groupRole('staff')];

  test('a signed-in identity reads, writes and deletes objects of its own folder, whatever role it got', () => {
    for (const role of signedIn()) {
      for (const action of ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']) {
        expect(s3Check(t, role, ALICE, action, `private/${ALICE}/photo.jpg`)).toBe('Allowed');
      }
    }
  });

  test('... and is denied another identity\'s folder', () => {
    for (const role of signedIn()) {
      for (const action of ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']) {
        expect(s3Check(t, role, ALICE, action, `private/${BOB}/photo.jpg`)).toBe('ImplicitlyDenied');
      }
    }
  });

  test('... and everything outside the private folders, including their parent', () => {
    expect(s3Check(t, t.identity.authenticatedRole, ALICE, 's3:GetObject', `${ALICE}/photo.jpg`)).toBe('ImplicitlyDenied');
    expect(s3Check(t, t.identity.authenticatedRole, ALICE, 's3:PutObject', 'private/photo.jpg')).toBe('ImplicitlyDenied');
    expect(s3Check(t, t.identity.authenticatedRole, ALICE, 's3:GetObject', 'public/catalogue.json')).toBe('ImplicitlyDenied');
  });

  test('it lists only with a prefix inside its own folder', () => {
    const role = t.identity.authenticatedRole;
    expect(listCheck(t, role, ALICE, `private/${ALICE}/`)).toBe('Allowed');
    expect(listCheck(t, role, ALICE, `private/${ALICE}/albums/2026/`)).toBe('Allowed');
    expect(listCheck(t, role, ALICE, `private/${BOB}/`)).toBe('ImplicitlyDenied');
    // every identity id of the region starts like this: listing it would enumerate the users
    expect(listCheck(t, role, ALICE, 'private/us-east-1:')).toBe('ImplicitlyDenied');
    expect(listCheck(t, role, ALICE, 'private/')).toBe('ImplicitlyDenied');
    expect(listCheck(t, role, ALICE, null)).toBe('ImplicitlyDenied');
  });

  test('it may use the bucket\'s key through S3 only', () => {
    const viaS3 = { 'kms:ViaService': S3_VIA, [`${COGNITO}:sub`]: ALICE };
    expect(t.model.check({ principal: t.identity.authenticatedRole, action: 'kms:Decrypt', resource: t.key, context: viaS3 })).toBe('Allowed');
    expect(t.model.check({ principal: t.identity.authenticatedRole, action: 'kms:GenerateDataKey', resource: t.key, context: viaS3 })).toBe('Allowed');
    expect(t.model.check({ principal: t.identity.authenticatedRole, action: 'kms:Decrypt', resource: t.key, context: { [`${COGNITO}:sub`]: ALICE } })).toBe('ImplicitlyDenied');
  });

  test('the guest role cannot reach user data, not even a folder named after its own identity id', () => {
    const guest = t.identity.guestRole!;
    for (const owner of [ALICE, GUEST]) {
      expect(s3Check(t, guest, GUEST, 's3:GetObject', `private/${owner}/photo.jpg`)).toBe('ImplicitlyDenied');
      expect(s3Check(t, guest, GUEST, 's3:PutObject', `private/${owner}/photo.jpg`)).toBe('ImplicitlyDenied');
      expect(listCheck(t, guest, GUEST, `private/${owner}/`)).toBe('ImplicitlyDenied');
    }
    expect(t.model.check({ principal: guest, action: 'kms:Decrypt', resource: t.key, context: { 'kms:ViaService': S3_VIA } })).toBe('ImplicitlyDenied');
  });

  test('the guest role does what it was given (control: the checks above can allow)', () => {
    expect(s3Check(t, t.identity.guestRole!, GUEST, 's3:GetObject', 'public/catalogue.json')).toBe('Allowed');
  });
});

describe('read-only folders', () => {
  const t = build('recommended', {}, UserDataAccess.READ);

  test('an identity reads its folder but cannot write or delete there', () => {
    const role = t.identity.authenticatedRole;
    expect(s3Check(t, role, ALICE, 's3:GetObject', `private/${ALICE}/a.txt`)).toBe('Allowed');
    expect(s3Check(t, role, ALICE, 's3:PutObject', `private/${ALICE}/a.txt`)).toBe('ImplicitlyDenied');
    expect(s3Check(t, role, ALICE, 's3:DeleteObject', `private/${ALICE}/a.txt`)).toBe('ImplicitlyDenied');
    expect(t.model.check({ principal: role, action: 'kms:GenerateDataKey', resource: t.key, context: { 'kms:ViaService': S3_VIA } })).toBe('ImplicitlyDenied');
  });
});

describe('two prefixes of two buckets', () => {
  test('each identity gets its folder in each, and the second bucket\'s other folders stay closed', () => {
    let photos!: s3.Bucket;
    const t = build('recommended', {}, undefined, (stack, identity) => {
      photos = new s3.Bucket(stack, 'Photos', { enforceSSL: true });
      identity.grantUserPrefix(photos, { prefix: 'users/photos', access: UserDataAccess.READ });
    });
    const check = (objectKey: string) => t.model.check({
      principal: t.identity.groupRole('staff'), action: 's3:GetObject', resource: photos, resourceSuffix: `/${objectKey}`, context: { [`${COGNITO}:sub`]: ALICE },
    });
    expect(check(`users/photos/${ALICE}/a.jpg`)).toBe('Allowed');
    expect(check(`users/photos/${BOB}/a.jpg`)).toBe('ImplicitlyDenied');
    expect(check(`private/${ALICE}/a.jpg`)).toBe('ImplicitlyDenied');
  });
});

describe('trust policies: which Cognito identity gets which role', () => {
  const t = build();

  test('the authenticated and group roles accept signed-in identities of this identity pool', () => {
    for (const role of [t.identity.authenticatedRole, t.identity.groupRole('admins'), t.identity.groupRole('staff')]) {
      expect(assume(t, role, t.poolId, 'authenticated')).toBe('Allowed');
    }
  });

  test('... and refuse guests of this pool (amr unauthenticated)', () => {
    for (const role of [t.identity.authenticatedRole, t.identity.groupRole('admins'), t.identity.groupRole('staff')]) {
      expect(assume(t, role, t.poolId, 'unauthenticated')).toBe('ImplicitlyDenied');
    }
  });

  test('... and identities of any other identity pool, signed in or not', () => {
    for (const role of [t.identity.authenticatedRole, t.identity.groupRole('admins')]) {
      expect(assume(t, role, 'us-east-1:00000000-0000-4000-8000-000000000000', 'authenticated')).toBe('ImplicitlyDenied');
    }
  });

  test('the guest role accepts guests of this pool only, not signed-in identities', () => {
    const guest = t.identity.guestRole!;
    expect(assume(t, guest, t.poolId, 'unauthenticated')).toBe('Allowed');
    expect(assume(t, guest, t.poolId, 'authenticated')).toBe('ImplicitlyDenied');
    expect(assume(t, guest, 'us-east-1:00000000-0000-4000-8000-000000000000', 'unauthenticated')).toBe('ImplicitlyDenied');
  });

  test('no other web identity provider, and no principal of the account, may assume the roles', () => {
    const role = t.identity.groupRole('admins');
    expect(t.model.check({
      principal: 'accounts.google.com', action: 'sts:AssumeRoleWithWebIdentity', resource: role, context: { 'accounts.google.com:aud': t.poolId },
    })).toBe('ImplicitlyDenied');
    // AdministratorAccess in the same account: the trust policy names only Cognito
    expect(t.model.check({ principal: t.admin, action: 'sts:AssumeRole', resource: role })).toBe('ImplicitlyDenied');
  });
});

describe('attackers with one permission', () => {
  const t = build();
  const userPoolArn = () => t.model.arnOf(t.identity.userPool);
  const poolArn = () => t.model.arnOf(t.identity.identityPool);

  test('an unauthenticated identity cannot get a signed-in role even through the basic flow or a remapped guest slot', () => {
    // GetOpenIdToken + sts:AssumeRoleWithWebIdentity (basic flow, if someone enabled it), or SetIdentityPoolRoles
    // mapping the guest slot to a group's role: either way STS sees amr "unauthenticated"
    for (const role of [t.identity.authenticatedRole, t.identity.groupRole('admins'), t.identity.groupRole('staff')]) {
      expect(assume(t, role, t.poolId, 'unauthenticated')).toBe('ImplicitlyDenied');
    }
    expect(assume(t, t.identity.guestRole!, t.poolId, 'unauthenticated')).toBe('Allowed');
  });

  test('cognito-identity:SetIdentityPoolRoles (not resource-scoped) cannot hand an identity a role that does not trust this pool', () => {
    // the attacker points the pool's authenticated slot at the account's admin role, or maps this pool's
    // admins role into a pool of their own: STS refuses both, since the trust pins aud and amr
    expect(assume(t, t.admin, t.poolId, 'authenticated')).toBe('ImplicitlyDenied');
    expect(assume(t, t.identity.groupRole('admins'), 'us-east-1:11111111-2222-4333-8444-555555555555', 'authenticated')).toBe('ImplicitlyDenied');
  });

  test('cognito-idp:AdminUpdateUserAttributes or the user\'s own UpdateUserAttributes cannot steer a role rule', () => {
    // rules may test only immutable custom attributes (refused otherwise, see app-identity.test.ts), which
    // Cognito lets nobody change after the user is created, and the app client writes no custom attribute
    const stack = testStack('Rules');
    const identity = new AppIdentity(stack, 'Identity', {
      groups: [{ groupName: 'finance', precedence: 1 }],
      customAttributes: { department: new cognito.StringAttribute({ mutable: false }) },
      roleSelection: RoleSelection.rules([{ claim: 'custom:department', value: 'finance', groupName: 'finance' }], { denyUnmatched: true }),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Cognito::UserPool', { Schema: Match.arrayWith([{ AttributeDataType: 'String', Name: 'department', Mutable: false }]) });
    const [client] = Object.values(template.findResources('AWS::Cognito::UserPoolClient'));
    expect(client.Properties.WriteAttributes.filter((a: string) => a.startsWith('custom:'))).toEqual([]);
    expect(identity.groupRole('finance')).toBeDefined();
    expect(() => new AppIdentity(testStack('Mutable'), 'Identity', {
      groups: [{ groupName: 'finance', precedence: 1 }],
      customAttributes: { department: new cognito.StringAttribute({ mutable: true }) },
      roleSelection: RoleSelection.rules([{ claim: 'custom:department', value: 'finance', groupName: 'finance' }]),
    })).toThrow(/a mutable attribute: anyone allowed cognito-idp:AdminUpdateUserAttributes could set it on their own user and take the role/);
  });

  test('a signed-in user\'s own credentials cannot change users, groups, the identity pool or its roles', () => {
    const attempts: [string, string][] = [
      ['cognito-idp:AdminUpdateUserAttributes', userPoolArn()],
      ['cognito-idp:AdminAddUserToGroup', userPoolArn()],
      ['cognito-idp:AdminCreateUser', userPoolArn()],
      ['cognito-identity:UpdateIdentityPool', poolArn()],
      ['cognito-identity:SetIdentityPoolRoles', '*'],
      ['iam:PassRole', t.model.arnOf(t.identity.groupRole('admins'))],
    ];
    for (const role of [t.identity.authenticatedRole, t.identity.groupRole('admins'), t.identity.guestRole!]) {
      for (const [action, resource] of attempts) {
        expect({ role: role.node.path, action, decision: t.model.check({ principal: role, action, resource }) })
          .toEqual({ role: role.node.path, action, decision: 'ImplicitlyDenied' });
      }
    }
    // control: the checks reach a decision that can allow
    expect(t.model.check({ principal: t.admin, action: 'cognito-idp:AdminUpdateUserAttributes', resource: userPoolArn() })).toBe('Allowed');
  });
});
