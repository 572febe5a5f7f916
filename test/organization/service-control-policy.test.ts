import { Lazy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { OrganizationalUnits, PolicyTarget, ResourceControlPolicy, ServiceControlPolicy } from '../../lib/organization';
import { AccessModel } from '../support/access-model';
import { FLAG_SETS, testApp, testStack } from '../support/app';

const MANAGEMENT = { account: '111111111111', region: 'us-east-1' };
const PROD = { account: '222222222222', region: 'us-east-1' };

const denyDynamoDb = () => new iam.PolicyStatement({ sid: 'DenyDynamoDb', effect: iam.Effect.DENY, actions: ['dynamodb:*'], resources: ['*'] });

/** A statement whose minified JSON is exactly `size` characters. */
function statementOfSize(sid: string, size: number): iam.PolicyStatement {
  const base = new iam.PolicyStatement({ sid, effect: iam.Effect.DENY, actions: ['s3:GetObject'], resources: ['arn:aws:s3:::'] });
  const extra = size - JSON.stringify(base.toStatementJson()).length;
  return new iam.PolicyStatement({ sid, effect: iam.Effect.DENY, actions: ['s3:GetObject'], resources: [`arn:aws:s3:::${'b'.repeat(extra)}`] });
}
/** `{"Version":"2012-10-17","Statement":[` ... `]}` */
const ENVELOPE = JSON.stringify({ Version: '2012-10-17', Statement: [] }).length;

describe.each(FLAG_SETS)('ServiceControlPolicy with %s feature flags', (featureFlags) => {
  test('writes an SCP with the statements as a JSON document, attached to the targets', () => {
    const stack = testStack('Org', { featureFlags });
    const ous = new OrganizationalUnits(stack, 'Ous', { parentId: 'r-a1b2', paths: ['Workloads'] });
    new ServiceControlPolicy(stack, 'NoDynamoDb', {
      policyName: 'no-dynamodb',
      description: 'DynamoDB is not approved',
      statements: [denyDynamoDb()],
      targets: [PolicyTarget.organizationalUnit(ous.get('Workloads')), PolicyTarget.account('333333333333')],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Organizations::Policy', {
      Name: 'no-dynamodb',
      Description: 'DynamoDB is not approved',
      Type: 'SERVICE_CONTROL_POLICY',
      Content: { Version: '2012-10-17', Statement: [{ Sid: 'DenyDynamoDb', Effect: 'Deny', Action: 'dynamodb:*', Resource: '*' }] },
      TargetIds: [stack.resolve(ous.get('Workloads').organizationalUnitId), '333333333333'],
    });
  });

  test('names itself after its path, and leaves TargetIds out when not attached', () => {
    const stack = testStack('Org', { featureFlags });
    new ServiceControlPolicy(stack, 'Scp', { statements: [denyDynamoDb()] });
    const [policy] = Object.values<any>(Template.fromStack(stack).findResources('AWS::Organizations::Policy'));
    expect(policy.Properties.Name).toMatch(/^OrgScp/);
    expect(policy.Properties.TargetIds).toBeUndefined();
  });
});

describe('ServiceControlPolicy in AccessModel', () => {
  const app = testApp();
  const org = new Stack(app, 'Org', { env: MANAGEMENT });
  const prod = new Stack(app, 'Prod', { env: PROD });
  const ous = new OrganizationalUnits(org, 'Ous', { parentId: 'r-a1b2', paths: ['Workloads/Prod'] });
  new ServiceControlPolicy(org, 'NoDynamoDb', { statements: [denyDynamoDb()], targets: [PolicyTarget.organizationalUnit(ous.get('Workloads'))] });
  const admin = new iam.Role(prod, 'Admin', { assumedBy: new iam.AccountRootPrincipal(), managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')] });
  const adminOfManagement = new iam.Role(org, 'Admin', { assumedBy: new iam.AccountRootPrincipal(), managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')] });
  const table = 'arn:aws:dynamodb:us-east-1:222222222222:table/orders';
  const options = { organizationUnits: { Prod: ['222222222222'] }, managementAccount: '111111111111' };

  test('an admin of an account in a child OU is denied what the SCP on the parent OU denies', () => {
    expect(new AccessModel([org, prod], options).check({ principal: admin, action: 'dynamodb:GetItem', resource: table })).toBe('ExplicitlyDenied');
  });

  test('the same admin may do what the SCP leaves open', () => {
    expect(new AccessModel([org, prod], options).check({ principal: admin, action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:222222222222:jobs' })).toBe('Allowed');
  });

  test('without the SCP the admin is allowed, so the denial is the SCP\'s doing', () => {
    const bare = testApp();
    const bareProd = new Stack(bare, 'Prod', { env: PROD });
    const bareAdmin = new iam.Role(bareProd, 'Admin', { assumedBy: new iam.AccountRootPrincipal(), managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')] });
    expect(new AccessModel([bareProd]).check({ principal: bareAdmin, action: 'dynamodb:GetItem', resource: table })).toBe('Allowed');
  });

  test('the management account is not bound by SCPs', () => {
    expect(new AccessModel([org, prod], options).check({ principal: adminOfManagement, action: 'dynamodb:GetItem', resource: 'arn:aws:dynamodb:us-east-1:111111111111:table/orders' })).toBe('Allowed');
  });
});

describe('ResourceControlPolicy', () => {
  test('writes an RCP that denies access from outside the organization', () => {
    const stack = testStack('Org');
    new ResourceControlPolicy(stack, 'Perimeter', {
      statements: [new iam.PolicyStatement({
        sid: 'DenyOutsideOrg', effect: iam.Effect.DENY, principals: [new iam.StarPrincipal()], actions: ['s3:*'], resources: ['*'],
        conditions: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' }, BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } },
      })],
      targets: [PolicyTarget.root('r-a1b2')],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Organizations::Policy', {
      Type: 'RESOURCE_CONTROL_POLICY', TargetIds: ['r-a1b2'],
      Content: { Statement: [{ Sid: 'DenyOutsideOrg', Effect: 'Deny', Principal: '*', Action: 's3:*' }] },
    });
  });

  test('in AccessModel, denies a principal outside the organization reading a member account\'s bucket', () => {
    const app = testApp();
    const org = new Stack(app, 'Org', { env: MANAGEMENT });
    const prod = new Stack(app, 'Prod', { env: PROD });
    const statement = new iam.PolicyStatement({
      sid: 'DenyOutsideOrg', effect: iam.Effect.DENY, principals: [new iam.StarPrincipal()], actions: ['s3:*'], resources: ['*'],
      conditions: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
    });
    const policy = new ResourceControlPolicy(org, 'Perimeter', { statements: [statement], targets: [PolicyTarget.account('222222222222')] });
    const opened = { principal: 'arn:aws:iam::999999999999:role/outsider', action: 's3:GetObject', resource: 'arn:aws:s3:::prod-data/a.csv', resourceAccount: '222222222222' };
    const model = new AccessModel([org, prod], { organizationId: 'o-a1b2c3d4e5', organizationAccounts: ['111111111111', '222222222222'] });
    expect(model.check(opened)).toBe('ExplicitlyDenied');
    expect(model.explain(opened).resourceControlPolicies).toEqual([expect.stringMatching(/AWS::Organizations::Policy 'Perimeter/)]);
    // an organization principal is let through by the RCP (and stopped only by the missing bucket policy)
    expect(model.explain({ ...opened, principal: 'arn:aws:iam::111111111111:role/insider' }).decision).toBe('ImplicitlyDenied');
    expect(policy.size).toBe(JSON.stringify(prod.resolve(policy.document)).length);
  });
});

describe('size and count limits', () => {
  test('accepts a document of exactly 5,120 characters', () => {
    const statement = statementOfSize('Big', 5120 - ENVELOPE);
    const scp = new ServiceControlPolicy(testStack('Org'), 'Scp', { statements: [statement] });
    expect(scp.size).toBe(5120);
  });

  test('fails when the document is over 5,120 characters, naming the policy, its size and the limit', () => {
    expect(() => new ServiceControlPolicy(testStack('Org'), 'Scp', { statements: [statementOfSize('Big', 5121 - ENVELOPE)] }))
      .toThrow('ServiceControlPolicy Org/Scp: the policy document is 5,121 characters (whitespace removed, as Organizations counts them), more than the 5,120 an SCP may have; split its statements into more policies (Guardrails does that itself)');
  });

  test('counts the document without whitespace, as Organizations does', () => {
    const statement = new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['dynamodb:*'], resources: ['*'] });
    const scp = new ServiceControlPolicy(testStack('Org'), 'Scp', { statements: [statement] });
    expect(scp.size).toBe('{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"dynamodb:*","Resource":"*"}]}'.length);
  });

  test('fails when addStatements makes the document too big', () => {
    const scp = new ServiceControlPolicy(testStack('Org'), 'Scp', { statements: [statementOfSize('A', 3000)] });
    expect(() => scp.addStatements(statementOfSize('B', 3000))).toThrow(/ServiceControlPolicy Org\/Scp: the policy document is 6,0\d\d characters/);
  });

  test('fails an RCP over 5,120 characters with the RCP\'s name', () => {
    const rcpStatement = new iam.PolicyStatement({ sid: 'Big', effect: iam.Effect.DENY, principals: [new iam.StarPrincipal()], actions: ['s3:GetObject'], resources: [`arn:aws:s3:::${'b'.repeat(5100)}`] });
    expect(() => new ResourceControlPolicy(testStack('Org'), 'Rcp', { statements: [rcpStatement] }))
      .toThrow(/ResourceControlPolicy Org\/Rcp: the policy document is 5,\d{3} characters .* more than the 5,120 an RCP may have/);
  });

  test('accepts four SCPs on one target next to FullAWSAccess', () => {
    const stack = testStack('Org');
    for (let i = 1; i <= 4; i++) new ServiceControlPolicy(stack, `Scp${i}`, { statements: [denyDynamoDb()], targets: [PolicyTarget.account('222222222222')] });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('fails when a fifth SCP would join FullAWSAccess on one target, naming the target and the policies', () => {
    const stack = testStack('Org');
    const ous = new OrganizationalUnits(stack, 'Ous', { parentId: 'r-a1b2', paths: ['Workloads'] });
    for (let i = 1; i <= 5; i++) new ServiceControlPolicy(stack, `Scp${i}`, { statements: [denyDynamoDb()], targets: [PolicyTarget.organizationalUnit(ous.get('Workloads'))] });
    expect(() => Template.fromStack(stack)).toThrow('ServiceControlPolicy Org/Scp1: OU Workloads (Org/Ous/Workloads) would hold 6 SCPs (FullAWSAccess, Org/Scp1, Org/Scp2, Org/Scp3, Org/Scp4, Org/Scp5), more than the 5 Organizations allows on one target; combine statements into fewer policies or attach some to a parent OU');
  });

  test('counts SCPs and RCPs on one target separately', () => {
    const stack = testStack('Org');
    const rcp = () => new iam.PolicyStatement({ effect: iam.Effect.DENY, principals: [new iam.StarPrincipal()], actions: ['s3:*'], resources: ['*'] });
    for (let i = 1; i <= 4; i++) {
      new ServiceControlPolicy(stack, `Scp${i}`, { statements: [denyDynamoDb()], targets: [PolicyTarget.root('r-a1b2')] });
      new ResourceControlPolicy(stack, `Rcp${i}`, { statements: [rcp()], targets: [PolicyTarget.root('r-a1b2')] });
    }
    expect(() => Template.fromStack(stack)).not.toThrow();
  });
});

describe('ServiceControlPolicy validation', () => {
  test('fails when a statement names a principal', () => {
    const statement = new iam.PolicyStatement({ sid: 'X', effect: iam.Effect.DENY, principals: [new iam.AccountPrincipal('222222222222')], actions: ['s3:*'], resources: ['*'] });
    expect(() => new ServiceControlPolicy(testStack('Org'), 'Scp', { statements: [statement] }))
      .toThrow('ServiceControlPolicy Org/Scp: statement X names a principal, but an SCP applies to every principal of the accounts it is attached to and may not name one; remove the principal (narrow with an aws:PrincipalArn condition instead)');
  });

  test('fails when the policy has no statements at synthesis', () => {
    const stack = testStack('Org');
    new ServiceControlPolicy(stack, 'Scp');
    expect(() => Template.fromStack(stack)).toThrow(/ServiceControlPolicy Org\/Scp: the policy has no statements, and Organizations rejects an empty policy/);
  });

  test('fails when the name is too long', () => {
    expect(() => new ServiceControlPolicy(testStack('Org'), 'Scp', { policyName: 'x'.repeat(129), statements: [denyDynamoDb()] }))
      .toThrow(/policyName must be 1 to 128 printable ASCII characters, got "x{129}"/);
  });

  test('fails when attached to the same target twice', () => {
    const scp = new ServiceControlPolicy(testStack('Org'), 'Scp', { statements: [denyDynamoDb()], targets: [PolicyTarget.account('222222222222')] });
    expect(() => scp.attachTo(PolicyTarget.account('222222222222'))).toThrow('ServiceControlPolicy Org/Scp: it is already attached to account 222222222222');
  });

  test('skips the name check on unresolved values', () => {
    expect(() => new ServiceControlPolicy(testStack('Org'), 'Scp', { policyName: Lazy.string({ produce: () => '' }), statements: [denyDynamoDb()] })).not.toThrow();
  });
});

describe('ResourceControlPolicy validation', () => {
  test('fails on an Allow statement', () => {
    const statement = new iam.PolicyStatement({ sid: 'X', principals: [new iam.StarPrincipal()], actions: ['s3:*'], resources: ['*'] });
    expect(() => new ResourceControlPolicy(testStack('Org'), 'Rcp', { statements: [statement] }))
      .toThrow('ResourceControlPolicy Org/Rcp: statement X has Effect Allow, but an RCP may only deny (RCPFullAWSAccess allows); write a Deny statement');
  });

  test('fails on a statement without Principal "*"', () => {
    const statement = new iam.PolicyStatement({ sid: 'X', effect: iam.Effect.DENY, actions: ['s3:*'], resources: ['*'] });
    expect(() => new ResourceControlPolicy(testStack('Org'), 'Rcp', { statements: [statement] }))
      .toThrow('ResourceControlPolicy Org/Rcp: statement X has Principal null, but an RCP statement must have Principal "*"; add new iam.StarPrincipal() and narrow with conditions such as aws:PrincipalOrgID');
  });
});

describe('PolicyTarget validation', () => {
  test('fails on a malformed root id', () => {
    expect(() => PolicyTarget.root('root')).toThrow('PolicyTarget.root: rootId must look like r-a1b2 ("r-" and 4 to 32 lower-case letters or digits), got "root"');
  });
  test('fails on a malformed OU id', () => {
    expect(() => PolicyTarget.organizationalUnitId('ou-x')).toThrow('PolicyTarget.organizationalUnitId: organizationalUnitId must look like ou-a1b2-c3d4e5f6, got "ou-x"');
  });
  test('fails on a malformed account id', () => {
    expect(() => PolicyTarget.account('12345')).toThrow('PolicyTarget.account: accountId must be a 12-digit AWS account id, got "12345"');
  });
});
