import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  Guardrail, Guardrails, IdentityCenterPrincipal, OrganizationalUnits, PermissionSet, PermissionSetBoundary, PolicyTarget,
} from '../lib/organization';

/**
 * Deploys, in an organization's management account with IAM Identity Center enabled, an OU with
 * guardrail SCPs attached and a permission set assigned to a group in the management account, then
 * asks Organizations and Identity Center what they store: the SCPs on the OU (by id, name and
 * content), and the permission set's session duration, relay state, managed policy, inline policy,
 * boundary and assignment. The OU holds no account, so the SCPs bind nobody while the test runs.
 *
 * Environment (placeholders keep the committed snapshot stable): INTEG_ORG_ROOT_ID (r-...),
 * INTEG_SSO_INSTANCE_ARN, INTEG_SSO_GROUP_ID (a group of the instance's identity store).
 */
const ROOT_ID = process.env.INTEG_ORG_ROOT_ID ?? 'r-a1b2';
const INSTANCE_ARN = process.env.INTEG_SSO_INSTANCE_ARN ?? 'arn:aws:sso:::instance/ssoins-0123456789abcdef';
const GROUP_ID = process.env.INTEG_SSO_GROUP_ID ?? '906757b2f3-4a5b6c7d-1e2f-3a4b-5c6d-7e8f9a0b1c2d';

const app = new App();
const stack = new Stack(app, 'IntegOrganizationGuardrails');
const ous = new OrganizationalUnits(stack, 'Ous', { parentId: ROOT_ID, paths: ['IntegGuardrails'] });
const guardrails = new Guardrails(stack, 'Guardrails', {
  policyNamePrefix: 'integ-guardrails',
  guardrails: [Guardrail.denyLeavingOrganization(), Guardrail.denyRootUser(), Guardrail.denyServices(['dynamodb'])],
  exemptRoles: ['BreakGlass'],
  targets: [PolicyTarget.organizationalUnit(ous.get('IntegGuardrails'))],
});
const permissionSet = new PermissionSet(stack, 'Auditor', {
  instanceArn: INSTANCE_ARN,
  permissionSetName: 'IntegAuditor',
  description: 'integ test: read-only auditor',
  managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
  permissionsBoundary: PermissionSetBoundary.fromAwsManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')),
  inlinePolicy: new iam.PolicyDocument({
    statements: [new iam.PolicyStatement({ sid: 'NoSecretValues', effect: iam.Effect.DENY, actions: ['secretsmanager:GetSecretValue'], resources: ['*'] })],
  }),
  sessionDuration: Duration.hours(2),
  relayState: 'https://console.aws.amazon.com/securityhub/home',
});
permissionSet.assignToAccounts(IdentityCenterPrincipal.group(GROUP_ID), [stack.account]);

const integ = new IntegTest(app, 'OrganizationGuardrailsTest', { testCases: [stack] });
const policy = guardrails.policies[0];

integ.assertions.awsApiCall('Organizations', 'listPoliciesForTarget', {
  TargetId: ous.get('IntegGuardrails').organizationalUnitId,
  Filter: 'SERVICE_CONTROL_POLICY',
}).expect(ExpectedResult.objectLike({
  Policies: Match.arrayWith([Match.objectLike({ Id: policy.policyId, Name: 'integ-guardrails-1' })]),
}));

integ.assertions.awsApiCall('Organizations', 'describePolicy', { PolicyId: policy.policyId })
  .assertAtPath('Policy.Content', ExpectedResult.stringLikeRegexp('"Sid":"DenyLeavingOrganization".*"Sid":"DenyRootUser".*"Sid":"DenyDynamodb".*"Sid":"ProtectExemptRoles"'));

integ.assertions.awsApiCall('SSOAdmin', 'describePermissionSet', { InstanceArn: INSTANCE_ARN, PermissionSetArn: permissionSet.permissionSetArn })
  .expect(ExpectedResult.objectLike({
    PermissionSet: Match.objectLike({ Name: 'IntegAuditor', SessionDuration: 'PT2H', RelayState: 'https://console.aws.amazon.com/securityhub/home' }),
  }));

integ.assertions.awsApiCall('SSOAdmin', 'getInlinePolicyForPermissionSet', { InstanceArn: INSTANCE_ARN, PermissionSetArn: permissionSet.permissionSetArn })
  .assertAtPath('InlinePolicy', ExpectedResult.stringLikeRegexp('"Sid":"NoSecretValues"'));

integ.assertions.awsApiCall('SSOAdmin', 'getPermissionsBoundaryForPermissionSet', { InstanceArn: INSTANCE_ARN, PermissionSetArn: permissionSet.permissionSetArn })
  .assertAtPath('PermissionsBoundary.ManagedPolicyArn', ExpectedResult.stringLikeRegexp(':iam::aws:policy/ReadOnlyAccess$'));

integ.assertions.awsApiCall('SSOAdmin', 'listAccountAssignments', {
  InstanceArn: INSTANCE_ARN, AccountId: stack.account, PermissionSetArn: permissionSet.permissionSetArn,
}).expect(ExpectedResult.objectLike({
  AccountAssignments: Match.arrayWith([Match.objectLike({ PrincipalType: 'GROUP', PrincipalId: GROUP_ID })]),
}));

app.synth();
