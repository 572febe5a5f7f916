import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Guardrail, Guardrails, OrganizationalUnits, PolicyTarget } from '../../lib/organization';
import { AccessModel } from '../support/access-model';
import { FLAG_SETS, testApp, testStack } from '../support/app';

const MANAGEMENT = { account: '111111111111', region: 'us-east-1' };
const PROD = { account: '222222222222', region: 'us-east-1' };
const ENVELOPE = JSON.stringify({ Version: '2012-10-17', Statement: [] }).length;

/** Every guardrail of the library, exempting BreakGlass (and the pipeline role for the security services). */
function everyGuardrail(): Guardrail[] {
  return [
    Guardrail.denyLeavingOrganization(),
    Guardrail.denyRootUser(),
    Guardrail.allowOnlyRegions(['us-east-1', 'eu-central-1']),
    Guardrail.protectSecurityServices({ exemptRoles: ['Pipeline'] }),
    Guardrail.denyServices(['dynamodb']),
    Guardrail.requireImdsv2(),
    Guardrail.protectRoles(['SecurityAudit', ...Guardrail.cdkBootstrapRoleNames()]),
  ];
}

function statementSize(stack: Stack, statement: iam.PolicyStatement): number {
  return JSON.stringify(stack.resolve(statement.toStatementJson())).length;
}

/** A denyServices guardrail whose statement is exactly `size` characters (services svc0, svc1, ... and a padded last one). */
function denyServicesOfSize(stack: Stack, tag: string, size: number): Guardrail {
  for (let n = 1; n < 500; n++) {
    for (let pad = 1; pad <= 50; pad++) {
      const services = [...Array.from({ length: n - 1 }, (_, i) => `${tag}${i}`), `${tag}x${'p'.repeat(pad)}`];
      const guardrail = Guardrail.denyServices(services);
      const actual = statementSize(stack, guardrail.statements()[0]);
      if (actual === size) return guardrail;
      if (actual > size) break;
    }
  }
  throw new Error(`no denyServices guardrail of ${size} characters`);
}

describe.each(FLAG_SETS)('Guardrails with %s feature flags', (featureFlags) => {
  test('combines every guardrail into one SCP of at most 5,120 characters, attached to the targets', () => {
    const stack = testStack('Org', { featureFlags });
    const ous = new OrganizationalUnits(stack, 'Ous', { parentId: 'r-a1b2', paths: ['Workloads'] });
    const guardrails = new Guardrails(stack, 'Guardrails', {
      guardrails: everyGuardrail(), exemptRoles: ['BreakGlass'], policyNamePrefix: 'guardrails', targets: [PolicyTarget.organizationalUnit(ous.get('Workloads'))],
    });
    expect(guardrails.policies).toHaveLength(1);
    expect(guardrails.policies[0].size).toBeLessThanOrEqual(5120);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Organizations::Policy', 1);
    const [policy] = Object.values<any>(template.findResources('AWS::Organizations::Policy'));
    expect(policy.Properties.Name).toBe('guardrails-1');
    expect(policy.Properties.TargetIds).toEqual([stack.resolve(ous.get('Workloads').organizationalUnitId)]);
    expect(policy.Properties.Content.Statement.map((s: any) => s.Sid)).toEqual([
      'DenyLeavingOrganization', 'DenyRootUser', 'DenyOutsideRegions', 'ProtectSecurityServices', 'DenyDynamodb',
      'RequireImdsv2OnLaunch', 'DenyMetadataOptionChanges', 'DenyImdsv1Credentials', 'ProtectRoles', 'ProtectExemptRoles',
    ]);
    expect(policy.Properties.Description).toMatch(/^Guardrails 1\/1: DenyLeavingOrganization, DenyRootUser, /);
  });
});

describe('guardrail statements', () => {
  const stack = testStack('Org');
  const json = (guardrail: Guardrail) => guardrail.statements().map((s) => stack.resolve(s.toStatementJson()));

  test('deny leaving the organization, exempting the named role in every account', () => {
    expect(json(Guardrail.denyLeavingOrganization({ exemptRoles: ['ops/BreakGlass'] }))).toEqual([{
      Sid: 'DenyLeavingOrganization', Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*',
      Condition: { ArnNotLike: { 'aws:PrincipalArn': 'arn:*:iam::*:role/ops/BreakGlass' } },
    }]);
  });

  test('allowOnlyRegions denies every action but the dated global-service list outside the regions', () => {
    const [statement] = json(Guardrail.allowOnlyRegions(['eu-west-1'], { additionalGlobalActions: ['chatbot:*'] }));
    expect(statement.Condition).toEqual({ StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } });
    expect(statement.NotAction).toEqual(expect.arrayContaining(['iam:*', 'organizations:*', 'sts:*', 'cloudfront:*', 'route53:*', 'support:*', 'chatbot:*']));
    expect(Guardrail.GLOBAL_SERVICE_ACTIONS_DATE).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  test('IMDSv1 credentials are denied without exemption, the launch and option rules exempt the role', () => {
    const statements = json(Guardrail.requireImdsv2({ exemptRoles: ['BreakGlass'] }));
    expect(statements.map((s) => [s.Sid, s.Condition?.ArnNotLike !== undefined])).toEqual([
      ['RequireImdsv2OnLaunch', true], ['DenyMetadataOptionChanges', true], ['DenyImdsv1Credentials', false],
    ]);
  });

  test('protectRoles covers trust policy, policies, boundary, tags, creation and deletion of the roles', () => {
    const [statement] = json(Guardrail.protectRoles(Guardrail.cdkBootstrapRoleNames('myqual')));
    expect(statement.Resource).toBe('arn:*:iam::*:role/cdk-myqual-*');
    expect(statement.Action).toEqual(expect.arrayContaining(['iam:UpdateAssumeRolePolicy', 'iam:AttachRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePermissionsBoundary', 'iam:CreateRole', 'iam:DeleteRole', 'iam:TagRole']));
  });

  test('no ProtectExemptRoles statement when no role is exempt', () => {
    const s = testStack('Org');
    const guardrails = new Guardrails(s, 'Guardrails', { guardrails: [Guardrail.denyRootUser()] });
    expect(s.resolve(guardrails.policies[0].document).Statement.map((x: any) => x.Sid)).toEqual(['DenyRootUser']);
  });
});

describe('packing into SCPs', () => {
  test('fills a policy to exactly 5,120 characters, and starts a second one at 5,121', () => {
    const stack = testStack('Org');
    const a = denyServicesOfSize(stack, 'aaa', 2000);
    const exact = denyServicesOfSize(stack, 'bbb', 5120 - ENVELOPE - 2000 - 1);
    const full = new Guardrails(stack, 'Full', { guardrails: [a, exact] });
    expect(full.policies.map((p) => p.size)).toEqual([5120]);

    const over = denyServicesOfSize(stack, 'bbb', 5120 - ENVELOPE - 2000);
    const split = new Guardrails(stack, 'Split', { guardrails: [a, over] });
    expect(split.policies.map((p) => p.size)).toEqual([ENVELOPE + 2000, ENVELOPE + 5120 - ENVELOPE - 2000]);
  });

  test('puts a guardrail into the first policy with room (first fit), keeping every statement once', () => {
    const stack = testStack('Org');
    const big1 = denyServicesOfSize(stack, 'aaa', 3000);
    const big2 = denyServicesOfSize(stack, 'bbb', 3000);
    const small = denyServicesOfSize(stack, 'ccc', 1500);
    const guardrails = new Guardrails(stack, 'Guardrails', { guardrails: [big1, big2, small], policyNamePrefix: 'org-guardrails' });
    const sids = guardrails.policies.map((p) => stack.resolve(p.document).Statement.map((s: any) => s.Sid));
    expect(sids).toEqual([[big1.name, small.name], [big2.name]]);
    for (const policy of guardrails.policies) expect(policy.size).toBeLessThanOrEqual(5120);
    const names = Object.values<any>(Template.fromStack(stack).findResources('AWS::Organizations::Policy')).map((p) => p.Properties.Name);
    expect(names).toEqual(['org-guardrails-1', 'org-guardrails-2']);
  });

  test('fails when the guardrails need more SCPs than maxPolicies, naming the sizes and the limit', () => {
    const stack = testStack('Org');
    const guardrails = ['aaa', 'bbb', 'ccc'].map((tag) => denyServicesOfSize(stack, tag, 3000));
    expect(() => new Guardrails(stack, 'Guardrails', { guardrails, maxPolicies: 2 })).toThrow(
      'Guardrails Org/Guardrails: the guardrails need 3 SCPs (3,039 characters, 3,039 characters, 3,039 characters; each at most 5,120), more than maxPolicies 2 (Organizations allows 5 SCPs on one target, FullAWSAccess included); attach some guardrails to a parent OU with another Guardrails, or shorten their lists');
  });

  test('fails when one statement alone is over the limit, naming it', () => {
    const actions = Array.from({ length: 400 }, (_, i) => `service${i}:*`);
    expect(() => new Guardrails(testStack('Org'), 'Guardrails', { guardrails: [Guardrail.allowOnlyRegions(['eu-west-1'], { additionalGlobalActions: actions })] }))
      .toThrow(/^Guardrails Org\/Guardrails: statement DenyOutsideRegions is 6,\d{3} characters, and with the policy around it more than the 5,120 an SCP may have/);
  });

  test('five guardrail SCPs next to another SCP on one target fail the per-target count at synthesis', () => {
    const stack = testStack('Org');
    const guardrails = ['aaa', 'bbb', 'ccc', 'ddd'].map((tag) => denyServicesOfSize(stack, tag, 3000));
    new Guardrails(stack, 'Guardrails', { guardrails, targets: [PolicyTarget.account('222222222222')] });
    new Guardrails(stack, 'More', { guardrails: [Guardrail.denyRootUser()], targets: [PolicyTarget.account('222222222222')] });
    expect(() => Template.fromStack(stack)).toThrow(/account 222222222222 would hold 6 SCPs \(FullAWSAccess, Org\/Guardrails\/Policy1, .*Org\/More\/Policy1\), more than the 5/);
  });
});

describe('validation', () => {
  test.each([
    ['an empty region list', () => Guardrail.allowOnlyRegions([]), 'Guardrail.allowOnlyRegions: regions must name at least one region, got an empty list (that would deny every regional service everywhere)'],
    ['a malformed region', () => Guardrail.allowOnlyRegions(['Frankfurt']), 'Guardrail.allowOnlyRegions: "Frankfurt" is not a region name such as eu-central-1'],
    ['a malformed global action', () => Guardrail.allowOnlyRegions(['eu-west-1'], { additionalGlobalActions: ['chatbot'] }), 'Guardrail.allowOnlyRegions: additionalGlobalActions must be actions such as chatbot:* or ec2:DescribeRegions, got "chatbot"'],
    ['an action given as a service', () => Guardrail.denyServices(['dynamodb:*']), 'Guardrail.denyServices: "dynamodb:*" is not a service prefix; write it as in an action, e.g. dynamodb (from dynamodb:GetItem)'],
    ['no services', () => Guardrail.denyServices([]), 'Guardrail.denyServices: services must name at least one service prefix, got an empty list'],
    ['no roles to protect', () => Guardrail.protectRoles([]), 'Guardrail.protectRoles: roleNames must name at least one role, got an empty list'],
    ['a role ARN instead of a name', () => Guardrail.protectRoles(['arn:aws:iam::222222222222:role/X']), 'Guardrail.protectRoles: "arn:aws:iam::222222222222:role/X" is not a role name'],
    ['an exempt role ARN', () => Guardrail.denyLeavingOrganization({ exemptRoles: ['role/'] }), 'Guardrail DenyLeavingOrganization: "role/" is not a role name'],
    ['a bad bootstrap qualifier', () => Guardrail.cdkBootstrapRoleNames('has space'), 'Guardrail.cdkBootstrapRoleNames: qualifier must be 1 to 10 letters, digits, - or _ (as cdk bootstrap accepts), got "has space"'],
  ])('fails on %s', (_, build, message) => {
    expect(build).toThrow(message);
  });

  test('fails on an empty guardrail list, a guardrail listed twice, and maxPolicies out of range', () => {
    const stack = testStack('Org');
    expect(() => new Guardrails(stack, 'A', { guardrails: [] })).toThrow('Guardrails Org/A: guardrails must name at least one guardrail, got an empty list; e.g. [Guardrail.denyLeavingOrganization()]');
    expect(() => new Guardrails(stack, 'B', { guardrails: [Guardrail.denyRootUser(), Guardrail.denyRootUser()] })).toThrow('Guardrails Org/B: guardrail DenyRootUser is listed twice; list it once (statement ids must be unique)');
    expect(() => new Guardrails(stack, 'C', { guardrails: [Guardrail.denyRootUser()], maxPolicies: 5 })).toThrow('Guardrails Org/C: maxPolicies must be a whole number from 1 to 4 (Organizations allows 5 SCPs on a target, FullAWSAccess included), got 5');
    expect(() => new Guardrails(stack, 'D', { guardrails: [Guardrail.denyRootUser()], exemptRoles: ['arn:aws:iam::1:role/x'] })).toThrow('Guardrails Org/D: "arn:aws:iam::1:role/x" is not a role name');
  });
});

describe('Guardrails in AccessModel, from the side of a member account admin', () => {
  const app = testApp();
  const org = new Stack(app, 'Org', { env: MANAGEMENT });
  const prod = new Stack(app, 'Prod', { env: PROD });
  const ous = new OrganizationalUnits(org, 'Ous', { parentId: 'r-a1b2', paths: ['Workloads/Prod'] });
  new Guardrails(org, 'Guardrails', { guardrails: everyGuardrail(), exemptRoles: ['BreakGlass'], targets: [PolicyTarget.organizationalUnit(ous.get('Workloads'))] });
  const adminPolicies = [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')];
  const admin = new iam.Role(prod, 'Admin', { assumedBy: new iam.AccountRootPrincipal(), managedPolicies: adminPolicies });
  const breakGlass = new iam.Role(prod, 'BreakGlass', { roleName: 'BreakGlass', assumedBy: new iam.AccountPrincipal('111111111111'), managedPolicies: adminPolicies });
  const pipeline = new iam.Role(prod, 'Pipeline', { roleName: 'Pipeline', assumedBy: new iam.AccountPrincipal('111111111111'), managedPolicies: adminPolicies });
  const managementAdmin = new iam.Role(org, 'Admin', { assumedBy: new iam.AccountRootPrincipal(), managedPolicies: adminPolicies });
  const model = new AccessModel([org, prod], { organizationUnits: { Prod: ['222222222222'] }, managementAccount: '111111111111' });
  const table = 'arn:aws:dynamodb:us-east-1:222222222222:table/orders';
  const trail = 'arn:aws:cloudtrail:us-east-1:222222222222:trail/organization';
  const bootstrapRole = 'arn:aws:iam::222222222222:role/cdk-hnb659fds-cfn-exec-role-222222222222-us-east-1';

  test.each([
    ['DynamoDB', { action: 'dynamodb:GetItem', resource: table }],
    ['a regional service outside the allowed regions', { action: 'sqs:SendMessage', resource: 'arn:aws:sqs:ap-southeast-2:222222222222:jobs' }],
    ['turning off CloudTrail', { action: 'cloudtrail:StopLogging', resource: trail }],
    ['disabling GuardDuty', { action: 'guardduty:DeleteDetector', resource: 'arn:aws:guardduty:us-east-1:222222222222:detector/abc' }],
    ['leaving the organization', { action: 'organizations:LeaveOrganization', resource: '*' }],
    ['launching an instance without IMDSv2', { action: 'ec2:RunInstances', resource: 'arn:aws:ec2:us-east-1:222222222222:instance/*', context: { 'ec2:MetadataHttpTokens': 'optional' } }],
    ['changing the trust policy of a CDK bootstrap role', { action: 'iam:UpdateAssumeRolePolicy', resource: bootstrapRole }],
    ['attaching a policy to the security-audit role', { action: 'iam:AttachRolePolicy', resource: 'arn:aws:iam::222222222222:role/SecurityAudit' }],
  ])('the admin is denied %s, the exempt break-glass role is not', (_, request) => {
    expect(model.check({ principal: admin, ...request })).toBe('ExplicitlyDenied');
    expect(model.check({ principal: breakGlass, ...request })).toBe('Allowed');
  });

  test.each([
    ['a regional service in an allowed region', { action: 'sqs:SendMessage', resource: 'arn:aws:sqs:eu-central-1:222222222222:jobs' }],
    ['a global service while in a region outside the list', { action: 'route53:ListHostedZones', resource: '*', context: { 'aws:RequestedRegion': 'ap-southeast-2' } }],
    ['IAM while in a region outside the list', { action: 'iam:CreateUser', resource: 'arn:aws:iam::222222222222:user/x', context: { 'aws:RequestedRegion': 'ap-southeast-2' } }],
    ['launching an instance with IMDSv2 required', { action: 'ec2:RunInstances', resource: 'arn:aws:ec2:us-east-1:222222222222:instance/*', context: { 'ec2:MetadataHttpTokens': 'required' } }],
    ['reading CloudTrail events', { action: 'cloudtrail:LookupEvents', resource: '*' }],
    ['changing a role of its own', { action: 'iam:AttachRolePolicy', resource: 'arn:aws:iam::222222222222:role/app-role' }],
  ])('the admin may still use %s', (_, request) => {
    expect(model.check({ principal: admin, ...request })).toBe('Allowed');
  });

  test('the pipeline role is exempt only from the guardrail that names it', () => {
    expect(model.check({ principal: pipeline, action: 'cloudtrail:StopLogging', resource: trail })).toBe('Allowed');
    expect(model.check({ principal: pipeline, action: 'organizations:LeaveOrganization', resource: '*' })).toBe('ExplicitlyDenied');
  });

  test('the admin cannot make itself exempt: creating a role named BreakGlass, or changing its trust policy, is denied', () => {
    expect(model.check({ principal: admin, action: 'iam:CreateRole', resource: 'arn:aws:iam::222222222222:role/BreakGlass' })).toBe('ExplicitlyDenied');
    expect(model.check({ principal: admin, action: 'iam:UpdateAssumeRolePolicy', resource: 'arn:aws:iam::222222222222:role/BreakGlass' })).toBe('ExplicitlyDenied');
    expect(model.check({ principal: admin, action: 'iam:PutRolePolicy', resource: 'arn:aws:iam::222222222222:role/Pipeline' })).toBe('ExplicitlyDenied');
    expect(model.check({ principal: breakGlass, action: 'iam:UpdateAssumeRolePolicy', resource: 'arn:aws:iam::222222222222:role/BreakGlass' })).toBe('Allowed');
  });

  test('credentials delivered through IMDSv1 are denied even to the exempt role', () => {
    const request = { action: 'ec2:TerminateInstances', resource: 'arn:aws:ec2:us-east-1:222222222222:instance/i-0123456789abcdef0', context: { 'ec2:RoleDelivery': '1.0' } };
    expect(model.check({ principal: breakGlass, ...request })).toBe('ExplicitlyDenied');
    expect(model.check({ principal: breakGlass, ...request, context: { 'ec2:RoleDelivery': '2.0' } })).toBe('Allowed');
  });

  test('the root user of a member account is bound too; the management account is not', () => {
    expect(model.check({ principal: 'arn:aws:iam::222222222222:root', action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:222222222222:jobs' })).toBe('ExplicitlyDenied');
    expect(model.check({ principal: managementAdmin, action: 'dynamodb:GetItem', resource: 'arn:aws:dynamodb:us-east-1:111111111111:table/orders' })).toBe('Allowed');
    expect(model.check({ principal: managementAdmin, action: 'sqs:SendMessage', resource: 'arn:aws:sqs:ap-southeast-2:111111111111:jobs' })).toBe('Allowed');
  });

  test('control: without the guardrails the same admin is allowed, so the denials are theirs', () => {
    const bare = testApp();
    const bareProd = new Stack(bare, 'Prod', { env: PROD });
    const bareAdmin = new iam.Role(bareProd, 'Admin', { assumedBy: new iam.AccountRootPrincipal(), managedPolicies: adminPolicies });
    const bareModel = new AccessModel([bareProd]);
    expect(bareModel.check({ principal: bareAdmin, action: 'dynamodb:GetItem', resource: table })).toBe('Allowed');
    expect(bareModel.check({ principal: bareAdmin, action: 'cloudtrail:StopLogging', resource: trail })).toBe('Allowed');
    expect(bareModel.check({ principal: bareAdmin, action: 'iam:CreateRole', resource: 'arn:aws:iam::222222222222:role/BreakGlass' })).toBe('Allowed');
  });
});
