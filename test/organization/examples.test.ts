import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { organizationGuardrails } from '../../examples/organization-guardrails';
import { organizationRollout } from '../../examples/organization-rollout';
import { DeveloperBoundary } from '../../lib/identity';
import { OrganizationStackSet, PermissionSet } from '../../lib/organization';
import { AccessModel } from '../support/access-model';
import { testApp } from '../support/app';
import { provisionedRole } from './identity-center-role';

const PROD = '222222222222';
const DEV = '333333333333';

/**
 * The organization-guardrails example does what its description says, from the side of a developer
 * signed in through the Developer permission set in the prod and the dev account (the role Identity
 * Center provisions there, under the DeveloperBoundary each account holds and the OUs' SCPs).
 */
describe('organization-guardrails example', () => {
  const app = testApp();
  const [management] = organizationGuardrails.build(app);
  // what each workload account holds: the boundary the permission set names (rolled out separately)
  const boundaries = [PROD, DEV].map((account) => {
    const stack = new Stack(app, `Workload${account}`, { env: { account, region: 'us-east-1' } });
    new DeveloperBoundary(stack, 'Boundary', {
      managedPolicyName: 'DeveloperBoundary',
      allowedStatements: [new iam.PolicyStatement({ actions: ['dynamodb:*', 'sqs:*', 's3:*', 'secretsmanager:GetSecretValue'], resources: ['*'] })],
    });
    return stack;
  });
  const developer = management.node.findChild('Developer') as PermissionSet;
  const prod = provisionedRole(developer, PROD);
  const dev = provisionedRole(developer, DEV);
  const model = new AccessModel([management, ...boundaries, prod.input, dev.input], {
    organizationUnits: { Prod: [PROD], Dev: [DEV], Security: ['444444444444'] },
    managementAccount: '111111111111',
  });
  const table = (account: string) => `arn:aws:dynamodb:us-east-1:${account}:table/orders`;

  test('DynamoDB is denied in the Dev OU only', () => {
    expect(model.check({ principal: dev.roleArn, action: 'dynamodb:GetItem', resource: table(DEV) })).toBe('ExplicitlyDenied');
    model.assertDecision({ principal: prod.roleArn, action: 'dynamodb:GetItem', resource: table(PROD) }, 'Allowed');
  });

  test('regions outside the allowed ones are denied in every workload account, the allowed ones are not', () => {
    for (const role of [prod.roleArn, dev.roleArn]) {
      const account = role.split(':')[4];
      expect(model.check({ principal: role, action: 'sqs:SendMessage', resource: `arn:aws:sqs:ap-southeast-2:${account}:jobs` })).toBe('ExplicitlyDenied');
      expect(model.check({ principal: role, action: 'sqs:SendMessage', resource: `arn:aws:sqs:eu-west-1:${account}:jobs` })).toBe('Allowed');
    }
  });

  test('prod secret values are denied by the permission set\'s inline policy, others are not', () => {
    expect(model.check({ principal: prod.roleArn, action: 'secretsmanager:GetSecretValue', resource: `arn:aws:secretsmanager:us-east-1:${PROD}:secret:prod/db-AbCdEf` })).toBe('ExplicitlyDenied');
    expect(model.check({ principal: prod.roleArn, action: 'secretsmanager:GetSecretValue', resource: `arn:aws:secretsmanager:us-east-1:${PROD}:secret:team/api-AbCdEf` })).toBe('Allowed');
  });

  test('the root user of a workload account is denied; the management account is not bound by SCPs', () => {
    expect(model.check({ principal: `arn:aws:iam::${PROD}:root`, action: 'sqs:SendMessage', resource: `arn:aws:sqs:us-east-1:${PROD}:jobs` })).toBe('ExplicitlyDenied');
    expect(model.check({ principal: 'arn:aws:iam::111111111111:role/Admin', action: 'dynamodb:GetItem', resource: table('111111111111') })).toBe('Allowed');
  });
});

/**
 * The organization-rollout example: the SecurityAudit role as the StackSet lands it in two accounts of
 * the workloads OU, under the example's guardrail.
 */
describe('organization-rollout example', () => {
  const app = testApp();
  const [management] = organizationRollout.build(app);
  const stackSet = management.node.findChild('AuditRole') as OrganizationStackSet;
  const targets = [PROD, DEV];
  const instances = targets.map((account) => ({ stackName: `StackSet-security-audit-role-${account}`, template: JSON.parse(stackSet.templateBody()), account, region: 'us-east-1' }));
  const model = new AccessModel([management, ...instances], { organizationUnits: { 'ou-a1b2-c3d4e5f6': targets }, managementAccount: '111111111111' });
  const externalId = '3f0c6f1e-8a47-4c1d-9b52-7e2d5a9c4b61';

  test.each(targets)('in %s only the audit account with the ExternalId may assume SecurityAudit', (account) => {
    const role = `arn:aws:iam::${account}:role/SecurityAudit`;
    model.assertDecision({ principal: 'arn:aws:iam::444444444444:role/Auditor', action: 'sts:AssumeRole', resource: role, context: { 'sts:ExternalId': externalId } }, 'Allowed');
    expect(model.check({ principal: 'arn:aws:iam::444444444444:role/Auditor', action: 'sts:AssumeRole', resource: role })).toBe('ImplicitlyDenied');
    expect(model.check({ principal: `arn:aws:iam::${account}:role/Admin`, action: 'sts:AssumeRole', resource: role, context: { 'sts:ExternalId': externalId } })).toBe('ImplicitlyDenied');
  });

  test('only the StackSets execution role may change SecurityAudit in a target account', () => {
    const role = `arn:aws:iam::${PROD}:role/SecurityAudit`;
    expect(model.check({ principal: `arn:aws:iam::${PROD}:role/Admin`, action: 'iam:UpdateAssumeRolePolicy', resource: role })).toBe('ExplicitlyDenied');
    expect(model.check({ principal: `arn:aws:iam::${PROD}:role/stacksets-exec-0123456789abcdef0123456789abcdef`, action: 'iam:UpdateAssumeRolePolicy', resource: role })).toBe('Allowed');
  });
});
