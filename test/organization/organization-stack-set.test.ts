import * as path from 'node:path';
import { App, CfnOutput, CfnParameter, CfnResource, Fn, NestedStack, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { CrossAccountRole, DeveloperBoundary, TrustedAccount } from '../../lib/identity';
import { SecretAlerts } from '../../lib/secrets';
import {
  Guardrail, Guardrails, OrganizationalUnits, OrganizationStackSet, OrganizationStackSetProps, PolicyTarget, RegionConcurrency, StackSetAccounts, StackSetTarget,
} from '../../lib/organization';
import { AccessModel } from '../support/access-model';
import { FeatureFlags, FLAG_SETS, testApp } from '../support/app';
import { complianceFindings } from '../support/compliance';

const MANAGEMENT = { account: '111111111111', region: 'us-east-1' };
const AUDIT_ACCOUNT = '444444444444';
const EXTERNAL_ID = 'c2a4f8e6-3b1d-4e5f-9a7c-1d2e3f4a5b6c';
const OU = 'ou-a1b2-c3d4e5f6';

/** The management stack, and the audit-role stack in a Stage of its own. */
function setUp(featureFlags: FeatureFlags = 'recommended', app: App = testApp({ featureFlags })) {
  const org = new Stack(app, 'Org', { env: MANAGEMENT });
  const audit = new Stack(new Stage(app, 'Rollout'), 'Audit', { description: 'The security-audit role, in every account' });
  const role = new CrossAccountRole(audit, 'Role', {
    roleName: 'SecurityAudit',
    description: 'Assumed by the audit account with its ExternalId',
    trustedAccounts: [TrustedAccount.account(AUDIT_ACCOUNT, { externalId: EXTERNAL_ID })],
  });
  return { app, org, audit, role };
}

/** A stack without IAM resources, to roll out to several regions. */
function regionalStack(app: App): Stack {
  const stage = (app.node.tryFindChild('Rollout') as Stage | undefined) ?? new Stage(app, 'Rollout');
  const stack = new Stack(stage, 'Regional', { description: 'A marker parameter, in every region' });
  new ssm.StringParameter(stack, 'Marker', { parameterName: '/platform/managed-by', stringValue: 'platform team' });
  return stack;
}

function stackSet(org: Stack, audit: Stack, props: Partial<OrganizationStackSetProps> = {}, id = 'AuditRole') {
  return new OrganizationStackSet(org, id, { stack: audit, targets: [StackSetTarget.organizationalUnitId(OU)], regions: ['us-east-1'], ...props });
}

function resourceOf(stack: Stack): any {
  const [resource] = Object.values<any>(Template.fromStack(stack).findResources('AWS::CloudFormation::StackSet'));
  return resource;
}

describe.each(FLAG_SETS)('OrganizationStackSet with %s feature flags', (featureFlags) => {
  test('the StackSet\'s template is the synthesized stack, minus CDK\'s bootstrap-version check', () => {
    const { org, audit } = setUp(featureFlags);
    const set = stackSet(org, audit);
    const body = JSON.parse(resourceOf(org).Properties.TemplateBody);
    const synthesized = Template.fromStack(audit).toJSON();
    expect(synthesized.Parameters?.BootstrapVersion).toBeDefined();
    expect(synthesized.Rules?.CheckBootstrapVersion).toBeDefined();
    const { Parameters: _p, Rules: _r, ...rest } = synthesized;
    expect(body).toEqual(rest);
    expect(body.Resources).toEqual(synthesized.Resources);
    expect(Object.values<any>(body.Resources).map((r) => r.Type)).toContain('AWS::IAM::Role');
    expect(set.templateBody()).toBe(resourceOf(org).Properties.TemplateBody);
  });

  test('is service-managed, deploys automatically to joining accounts, one account at a time, region after region', () => {
    const { app, org, audit } = setUp(featureFlags);
    stackSet(org, audit);
    const org2 = new Stack(app, 'Org2', { env: MANAGEMENT });
    stackSet(org2, regionalStack(app), { regions: ['us-east-1', 'eu-west-1'] });
    expect(resourceOf(org).Properties).toEqual({
      StackSetName: 'Org-AuditRole-E35691D4',
      Description: 'The security-audit role, in every account',
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      CallAs: 'SELF',
      ManagedExecution: { Active: true },
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      OperationPreferences: { MaxConcurrentCount: 1, FailureToleranceCount: 0, RegionConcurrencyType: 'SEQUENTIAL' },
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: [OU] }, Regions: ['us-east-1'] }],
      TemplateBody: expect.any(String),
    });
    // several regions: one after the other, in the order given
    expect(resourceOf(org2).Properties.OperationPreferences).toEqual({ MaxConcurrentCount: 1, FailureToleranceCount: 0, RegionConcurrencyType: 'SEQUENTIAL', RegionOrder: ['us-east-1', 'eu-west-1'] });
    expect(resourceOf(org2).Properties.StackInstancesGroup[0].Regions).toEqual(['us-east-1', 'eu-west-1']);
  });

  test('takes OUs of an OrganizationalUnits tree by path, the options, and a delegated administrator', () => {
    const { app, org } = setUp(featureFlags);
    const ous = new OrganizationalUnits(org, 'Ous', { parentId: 'r-a1b2', paths: ['Workloads/Prod', 'Security'] });
    stackSet(org, regionalStack(app), {
      targets: [StackSetTarget.organizationalUnit(ous.get('Workloads')), StackSetTarget.organizationalUnit(ous.get('Security'))],
      regions: ['eu-west-1', 'eu-central-1'],
      stackSetName: 'security-audit-role',
      retainStacksOnAccountRemoval: true,
      maxConcurrentAccounts: StackSetAccounts.percentage(25),
      failureTolerance: StackSetAccounts.percentage(10),
      regionConcurrency: RegionConcurrency.PARALLEL,
      callAsDelegatedAdmin: true,
    });
    const { Properties: props } = resourceOf(org);
    expect(props.StackSetName).toBe('security-audit-role');
    expect(props.AutoDeployment).toEqual({ Enabled: true, RetainStacksOnAccountRemoval: true });
    expect(props.CallAs).toBe('DELEGATED_ADMIN');
    expect(props.OperationPreferences).toEqual({ MaxConcurrentPercentage: 25, FailureTolerancePercentage: 10, RegionConcurrencyType: 'PARALLEL' });
    expect(props.StackInstancesGroup[0].DeploymentTargets.OrganizationalUnitIds).toEqual([
      org.resolve(ous.get('Workloads').organizationalUnitId), org.resolve(ous.get('Security').organizationalUnitId),
    ]);
  });

  test('turns automatic deployment off when asked', () => {
    const { org, audit } = setUp(featureFlags);
    stackSet(org, audit, { autoDeployment: false });
    expect(resourceOf(org).Properties.AutoDeployment).toEqual({ Enabled: false });
  });

  test('asks for no capability when the stack creates no IAM resource', () => {
    const app = testApp({ featureFlags });
    const org = new Stack(app, 'Org', { env: MANAGEMENT });
    const plain = new Stack(new Stage(app, 'Rollout'), 'Param');
    new ssm.StringParameter(plain, 'Marker', { stringValue: 'managed by the platform team' });
    stackSet(org, plain);
    expect(resourceOf(org).Properties.Capabilities).toBeUndefined();
  });

  test('rolls out the issue\'s other examples: a DeveloperBoundary (one region) and SecretAlerts with its trail (two regions)', () => {
    const app = testApp({ featureFlags });
    const org = new Stack(app, 'Org', { env: MANAGEMENT });
    const stage = new Stage(app, 'Rollout');
    const boundary = new Stack(stage, 'Boundary');
    new DeveloperBoundary(boundary, 'Boundary', { managedPolicyName: 'DeveloperBoundary', allowedStatements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::team-data/*'] })] });
    const alerts = new Stack(stage, 'Alerts');
    new SecretAlerts(alerts, 'Alerts', { emailAddresses: ['security@example.com'], createTrail: true });
    const boundarySet = stackSet(org, boundary, {}, 'Boundary');
    const alertsSet = stackSet(org, alerts, { regions: ['us-east-1', 'eu-west-1'] }, 'Alerts');
    const types = (set: OrganizationStackSet) => Object.values<any>(JSON.parse(set.templateBody()).Resources).map((r) => r.Type);
    expect(types(boundarySet)).toContain('AWS::IAM::ManagedPolicy');
    expect(types(alertsSet)).toEqual(expect.arrayContaining(['AWS::SNS::Topic', 'AWS::Events::Rule', 'AWS::CloudTrail::Trail']));
    expect(Template.fromStack(org).toJSON().Resources).toBeDefined();
  });

  test('has no compliance findings, in the management stack and the rolled-out stack', () => {
    const { org, audit } = setUp(featureFlags);
    stackSet(org, audit);
    expect(complianceFindings(org)).toEqual([]);
    expect(complianceFindings(audit)).toEqual([]);
  });
});

describe('OrganizationStackSet validation', () => {
  test.each([
    ['ou-A1B2-c3d4e5f6', 'upper case'],
    ['o-a1b2c3d4e5', 'an organization id'],
    ['ou-a1b2', 'no second part'],
  ])('fails for the OU id %s (%s)', (id) => {
    expect(() => StackSetTarget.organizationalUnitId(id))
      .toThrow(`StackSetTarget.organizationalUnitId: organizationalUnitId must be an OU id such as ou-a1b2-c3d4e5f6 or the root id such as r-a1b2 (lower-case letters and digits), got "${id}"`);
  });

  test('accepts the root as a target', () => {
    const { org, audit } = setUp();
    stackSet(org, audit, { targets: [StackSetTarget.organizationalUnitId('r-a1b2')] });
    expect(resourceOf(org).Properties.StackInstancesGroup[0].DeploymentTargets.OrganizationalUnitIds).toEqual(['r-a1b2']);
  });

  test('fails when there is no target or one is listed twice', () => {
    const { org, audit } = setUp();
    expect(() => stackSet(org, audit, { targets: [] }, 'A')).toThrow('OrganizationStackSet Org/A: targets must name at least one OU, got an empty list; e.g. [StackSetTarget.organizationalUnit(ous.get(\'Workloads\'))]');
    expect(() => stackSet(org, audit, { targets: [StackSetTarget.organizationalUnitId(OU), StackSetTarget.organizationalUnitId(OU)] }, 'B'))
      .toThrow(`OrganizationStackSet Org/B: OU ${OU} is listed twice in targets; list it once`);
  });

  test.each([
    [[], /regions must name at least one region, got an empty list/],
    [['us-east-1', 'mars-1'], /"mars-1" is not a region name such as eu-west-1/],
    [['US-EAST-1'], /"US-EAST-1" is not a region name/],
    [['eu-west-1', 'eu-west-1'], /region eu-west-1 is listed twice; list it once/],
  ])('fails for the regions %j', (regions, message) => {
    const { org, audit } = setUp();
    expect(() => stackSet(org, audit, { regions })).toThrow(message);
  });

  test('fails when a region is a token', () => {
    const { org, audit } = setUp();
    expect(() => stackSet(org, audit, { regions: [org.region, Fn.ref('AWS::Region')] })).toThrow(/regions must be literal region names \(the StackSet is defined at synth\), got a token/);
  });

  test.each([
    [{ failureTolerance: StackSetAccounts.count(-1) }, 'failureTolerance must be a whole number of accounts, at least 0, got -1'],
    [{ failureTolerance: StackSetAccounts.count(1.5) }, 'failureTolerance must be a whole number of accounts, at least 0, got 1.5'],
    [{ failureTolerance: StackSetAccounts.percentage(101) }, 'failureTolerance must be a whole percentage from 0 to 100, got 101'],
    [{ maxConcurrentAccounts: StackSetAccounts.count(0) }, 'maxConcurrentAccounts must be a whole number of accounts, at least 1, got 0'],
    [{ maxConcurrentAccounts: StackSetAccounts.percentage(0) }, 'maxConcurrentAccounts must be a whole percentage from 1 to 100, got 0'],
    [{ maxConcurrentAccounts: StackSetAccounts.count(5), failureTolerance: StackSetAccounts.count(2) },
      'maxConcurrentAccounts 5 accounts exceeds failureTolerance 2 accounts + 1; under CloudFormation\'s strict failure tolerance at most 3 accounts run at once, so raise failureTolerance to 4 or lower maxConcurrentAccounts'],
  ])('fails for bad operation preferences %#', (props, message) => {
    const { org, audit } = setUp();
    expect(() => stackSet(org, audit, props)).toThrow(`OrganizationStackSet Org/AuditRole: ${message}`);
  });

  test('accepts a concurrency one above the failure tolerance', () => {
    const { org, audit } = setUp();
    stackSet(org, audit, { maxConcurrentAccounts: StackSetAccounts.count(3), failureTolerance: StackSetAccounts.count(2) });
    expect(resourceOf(org).Properties.OperationPreferences).toMatchObject({ MaxConcurrentCount: 3, FailureToleranceCount: 2 });
  });

  test('fails when retainStacksOnAccountRemoval is set without automatic deployment', () => {
    const { org, audit } = setUp();
    expect(() => stackSet(org, audit, { autoDeployment: false, retainStacksOnAccountRemoval: true })).toThrow(/retainStacksOnAccountRemoval applies only with autoDeployment/);
  });

  test('fails when the StackSet name does not start with a letter', () => {
    const { org, audit } = setUp();
    expect(() => stackSet(org, audit, { stackSetName: '1-audit' })).toThrow('OrganizationStackSet Org/AuditRole: stackSetName must start with a letter and hold only letters, digits and "-", at most 128 characters, got "1-audit"');
  });

  test('fails when the stack has an environment', () => {
    const app = testApp();
    const org = new Stack(app, 'Org', { env: MANAGEMENT });
    const pinned = new Stack(new Stage(app, 'Rollout'), 'Pinned', { env: { account: '222222222222' } });
    expect(() => stackSet(org, pinned)).toThrow('OrganizationStackSet Org/AuditRole: stack Rollout/Pinned has env.account "222222222222", but its template is deployed to every target account and region; leave env out so the stack uses AWS::AccountId and AWS::Region');
  });

  test('fails when the stack is in the StackSet\'s own Stage or in another App', () => {
    const app = testApp();
    const org = new Stack(app, 'Org', { env: MANAGEMENT });
    expect(() => stackSet(org, new Stack(app, 'Sibling'), {}, 'A')).toThrow(/stack Sibling is in the same Stage as the StackSet, so `cdk deploy --all` would also deploy it into this account; create it in a Stage of this App of its own/);
    expect(() => stackSet(org, new Stack(testApp(), 'Elsewhere'), {}, 'B')).toThrow(/stack Elsewhere is in another App/);
    const nested = new NestedStack(new Stack(new Stage(app, 'Rollout'), 'Parent'), 'Nested');
    expect(() => stackSet(org, nested, {}, 'C')).toThrow(/is a nested stack; roll out an ordinary Stack in a Stage of its own/);
  });

  test('fails when the stack is a top-level stack of the App, or its Stage holds the StackSet\'s', () => {
    const app = testApp();
    const outer = new Stage(app, 'Outer');
    const org = new Stack(new Stage(outer, 'Org'), 'Management', { env: MANAGEMENT });
    expect(() => stackSet(org, new Stack(app, 'TopLevel'), {}, 'A')).toThrow(/stack TopLevel is a top-level stack of the App, so `cdk deploy --all` would also deploy it; create it in a Stage of this App of its own/);
    expect(() => stackSet(org, new Stack(outer, 'Around'), {}, 'B')).toThrow(/stack Outer\/Around is in Stage Outer, which holds the StackSet's own Stage/);
    // a sibling Stage is fine
    const audit = new Stack(new Stage(outer, 'Rollout'), 'Audit');
    new ssm.StringParameter(audit, 'Marker', { stringValue: 'x' });
    const set = stackSet(org, audit, {}, 'C');
    Template.fromStack(org).resourceCountIs('AWS::CloudFormation::StackSet', 1);
    expect(set.templateBody()).toContain('AWS::SSM::Parameter');
  });

  test('fails at synth when the stack has an asset, naming it and why', () => {
    const { org, audit } = setUp();
    new lambda.Function(audit, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromAsset(path.join(__dirname, '..', 'support', 'access-model')) });
    stackSet(org, audit);
    expect(() => Template.fromStack(org)).toThrow(/OrganizationStackSet Org\/AuditRole: stack Rollout\/Audit has 1 asset\(s\) \([./]*asset\.[0-9a-f]+\); assets are published to this account's CDK bootstrap bucket and repository, which the target accounts cannot read/);
  });

  test('fails at synth when the stack\'s Stage looks something up', () => {
    const { app, org, audit } = setUp();
    const lookup = new Stack(Stage.of(audit)!, 'Lookup', { env: { account: '222222222222', region: 'us-east-1' } });
    ssm.StringParameter.valueFromLookup(lookup, '/platform/vpc-id');
    stackSet(org, audit);
    expect(() => app.synth()).toThrow(/the Stage of stack Rollout\/Audit looks up ssm:account=222222222222:parameterName=\/platform\/vpc-id:region=us-east-1 from the deploying account at synth/);
  });

  test('fails at synth when the stack imports another stack\'s output', () => {
    const { org, audit } = setUp();
    const other = new Stack(Stage.of(audit)!, 'Shared');
    const param = new ssm.StringParameter(other, 'Shared', { stringValue: 'x' });
    new CfnOutput(audit, 'Uses', { value: param.parameterName });
    stackSet(org, audit);
    expect(() => Template.fromStack(org)).toThrow(/stack Rollout\/Audit reads outputs of other stacks \(Fn::GetStackOutput, a cross-stack reference\); those stacks do not exist in the target accounts/);
  });

  test('fails at synth when the stack imports another stack\'s export (without the recommended flags)', () => {
    const { org, audit } = setUp('none');
    const other = new Stack(Stage.of(audit)!, 'Shared');
    new CfnOutput(audit, 'Uses', { value: new ssm.StringParameter(other, 'Shared', { stringValue: 'x' }).parameterName });
    stackSet(org, audit);
    expect(() => Template.fromStack(org)).toThrow(/reads outputs of other stacks \(Fn::ImportValue, a cross-stack reference\)/);
  });

  test('fails at synth when a parameter has no default, or a nested stack resource is in the template', () => {
    const { org, audit } = setUp();
    new CfnParameter(audit, 'AuditAccount', { type: 'String' });
    new CfnResource(audit, 'Inner', { type: 'AWS::CloudFormation::Stack', properties: { TemplateURL: 'https://example-bucket.s3.amazonaws.com/inner.json' } });
    stackSet(org, audit);
    expect(() => Template.fromStack(org)).toThrow(/has parameters without a default \(AuditAccount\); the StackSet passes no parameter values, so give each a default/);
    expect(() => Template.fromStack(org)).toThrow(/contains AWS::CloudFormation::Stack resources, which StackSets do not allow in a template/);
  });

  test('fails at synth when named IAM resources would be created in more than one region', () => {
    const { org, audit } = setUp();
    stackSet(org, audit, { regions: ['us-east-1', 'eu-west-1'] });
    expect(() => Template.fromStack(org)).toThrow(/stack Rollout\/Audit creates IAM resources with fixed names \(Role[0-9A-F]+ \(RoleName SecurityAudit\)\), and IAM is global: the stack instances of 2 regions would create each name 2 times in every account; roll out IAM resources to one region/);
  });

  test('fails at synth when the template is over 51,200 bytes', () => {
    const { org, audit } = setUp();
    for (let i = 0; i < 200; i++) new ssm.StringParameter(audit, `P${i}`, { stringValue: 'x'.repeat(200) });
    const set = stackSet(org, audit);
    expect(() => Template.fromStack(org)).toThrow(/stack Rollout\/Audit's template is [\d,]+ bytes, more than the 51,200 a StackSet's TemplateBody may have/);
    expect(() => set.templateBody()).toThrow(/more than the 51,200/);
  });
});

describe('limits with 500 target OUs', () => {
  const ouIds = Array.from({ length: 500 }, (_, i) => `ou-a1b2-${String(i).padStart(8, '0')}`);

  test('one StackSet refuses them, naming the 50-OU operation limit', () => {
    const { org, audit } = setUp();
    expect(() => stackSet(org, audit, { targets: ouIds.map((id) => StackSetTarget.organizationalUnitId(id)) }))
      .toThrow('OrganizationStackSet Org/AuditRole: 500 target OUs, but a StackSets operation takes at most 50 OUs (CloudFormation\'s CreateStackInstances/UpdateStackSet limit); target a parent OU holding them, or split them over several OrganizationStackSets of at most 50 each');
  });

  test('ten StackSets of 50 OUs each in 17 regions synthesize within the CloudFormation limits', () => {
    const { app, org } = setUp();
    const regional = regionalStack(app);
    const regions = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1',
      'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2', 'sa-east-1'];
    for (let i = 0; i < 10; i++) {
      stackSet(org, regional, { regions, targets: ouIds.slice(i * 50, i * 50 + 50).map((id) => StackSetTarget.organizationalUnitId(id)) }, `Part${i}`);
    }
    const template = Template.fromStack(org).toJSON();
    const sets = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::CloudFormation::StackSet');
    expect(sets).toHaveLength(10);
    expect(sets.flatMap((s) => s.Properties.StackInstancesGroup[0].DeploymentTargets.OrganizationalUnitIds)).toEqual(ouIds);
    // CloudFormation: a template uploaded through S3 (as cdk deploy does) of at most 1 MB, at most 500 resources;
    // StackSets: a TemplateBody of at most 51,200 bytes
    expect(Buffer.byteLength(JSON.stringify(template))).toBeLessThan(1_000_000);
    expect(Object.keys(template.Resources).length).toBeLessThanOrEqual(500);
    for (const set of sets) expect(Buffer.byteLength(set.Properties.TemplateBody)).toBeLessThanOrEqual(51_200);
  });
});

/**
 * The audit role as it lands in two target accounts (the StackSet's TemplateBody), with the
 * organization's guardrails protecting it; the StackSets execution role is the exempt one.
 */
describe('the rolled-out audit role in AccessModel', () => {
  const { org, audit } = setUp();
  const ous = new OrganizationalUnits(org, 'Ous', { parentId: 'r-a1b2', paths: ['Workloads'] });
  new Guardrails(org, 'Guardrails', {
    guardrails: [Guardrail.protectRoles(['SecurityAudit'])],
    exemptRoles: ['stacksets-exec-*'],
    targets: [PolicyTarget.organizationalUnit(ous.get('Workloads'))],
  });
  const set = stackSet(org, audit, { targets: [StackSetTarget.organizationalUnit(ous.get('Workloads'))] });
  const targets = ['222222222222', '333333333333'];
  const instances = targets.map((account) => ({ stackName: `StackSet-audit-${account}`, template: JSON.parse(set.templateBody()), account, region: 'us-east-1' }));
  const model = new AccessModel([org, ...instances], { organizationUnits: { Workloads: targets }, managementAccount: MANAGEMENT.account });
  const auditor = `arn:aws:iam::${AUDIT_ACCOUNT}:role/Auditor`;
  const roleIn = (account: string) => `arn:aws:iam::${account}:role/SecurityAudit`;

  test.each(targets)('in %s the audit account may assume it with its ExternalId, and only so', (account) => {
    model.assertDecision({ principal: auditor, action: 'sts:AssumeRole', resource: roleIn(account), context: { 'sts:ExternalId': EXTERNAL_ID } }, 'Allowed');
    expect(model.check({ principal: auditor, action: 'sts:AssumeRole', resource: roleIn(account) })).toBe('ImplicitlyDenied');
    expect(model.check({ principal: auditor, action: 'sts:AssumeRole', resource: roleIn(account), context: { 'sts:ExternalId': 'guessed' } })).toBe('ImplicitlyDenied');
  });

  test('nobody else may assume it: another account, the other target, an admin of its own account', () => {
    for (const principal of ['arn:aws:iam::555555555555:role/Admin', 'arn:aws:iam::333333333333:role/Admin', 'arn:aws:iam::222222222222:role/Admin']) {
      expect({ principal, decision: model.check({ principal, action: 'sts:AssumeRole', resource: roleIn('222222222222'), context: { 'sts:ExternalId': EXTERNAL_ID } }) })
        .toEqual({ principal, decision: 'ImplicitlyDenied' });
    }
  });

  test('an admin of a target account cannot re-trust or widen it; the StackSets execution role can update it', () => {
    const admin = 'arn:aws:iam::222222222222:role/Admin';
    for (const action of ['iam:UpdateAssumeRolePolicy', 'iam:AttachRolePolicy', 'iam:DeleteRole']) {
      expect(model.check({ principal: admin, action, resource: roleIn('222222222222') })).toBe('ExplicitlyDenied');
    }
    expect(model.check({ principal: 'arn:aws:iam::222222222222:role/stacksets-exec-0123456789abcdef0123456789abcdef', action: 'iam:UpdateAssumeRolePolicy', resource: roleIn('222222222222') })).toBe('Allowed');
    // and the exemption's name cannot be squatted
    expect(model.check({ principal: admin, action: 'iam:CreateRole', resource: 'arn:aws:iam::222222222222:role/stacksets-exec-mine' })).toBe('ExplicitlyDenied');
  });
});
