import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DeveloperBoundary } from '../../lib/identity';
import { AccessModel } from '../support/access-model';
import { FLAG_SETS, FeatureFlags, testApp } from '../support/app';

/*
 * Privilege-escalation routes out of a DeveloperBoundary, from the attacker's side: a delegated admin
 * whose identity policy allows a service wholesale, capped by the boundary with a delegated path and
 * resource prefix. Each route is checked twice: ExplicitlyDenied under the boundary, and Allowed for a
 * control principal with the same identity policy and no boundary, so the test fails if the route
 * stops being one. The routes are those of issue 10 and of the public lists of IAM escalation paths
 * (Rhino Security Labs' 21, plus run-code-as-a-role services).
 */
const ACCOUNT = '222222222222';
const ENV = { account: ACCOUNT, region: 'us-east-1' };
const PATH = '/delegated/';
const PREFIX = 'team-a-';
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/team-boundary`;
const iamArn = (resource: string) => `arn:aws:iam::${ACCOUNT}:${resource}`;
const arn = (service: string, resource: string) => `arn:aws:${service}:us-east-1:${ACCOUNT}:${resource}`;
const DEPLOY_ROLE = `cdk-hnb659fds-deploy-role-${ACCOUNT}-us-east-1`;

/** The ceiling the issue's review used (iam:*, sts:AssumeRole, lambda:* on *) or one with every run-code service. */
const ISSUE_CEILING = ['iam:*', 'sts:AssumeRole', 'lambda:*'];
const WIDE_CEILING = [...ISSUE_CEILING, 'ecs:*', 'codebuild:*', 'glue:*', 'sagemaker:*', 'states:*', 'cloudformation:*', 'batch:*', 'ssm:*', 'ec2:*', 'ec2-instance-connect:*', 'datapipeline:*'];

function build(flags: FeatureFlags, ceiling: string[]) {
  const app = testApp({ featureFlags: flags });
  const team = new Stack(app, 'Team', { env: ENV });
  const reader = new iam.Role(team, 'Reader', { roleName: 'auditor-read', assumedBy: new iam.AccountRootPrincipal() });
  const boundary = new DeveloperBoundary(team, 'Boundary', {
    managedPolicyName: 'team-boundary',
    delegatedRolePath: PATH,
    delegatedResourcePrefix: PREFIX,
    assumableRoles: [reader],
    allowedStatements: [new iam.PolicyStatement({ actions: ceiling, resources: ['*'] })],
  });
  const identityPolicy = () => [new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ceiling, resources: ['*'] })] })];
  const admin = new iam.Role(team, 'DelegatedAdmin', {
    assumedBy: new iam.AccountRootPrincipal(), permissionsBoundary: boundary, inlinePolicies: { Ceiling: identityPolicy()[0] },
  });
  const control = new iam.Role(team, 'Control', { assumedBy: new iam.AccountRootPrincipal(), inlinePolicies: { Ceiling: identityPolicy()[0] } });
  // roles that exist in a bootstrapped account, outside the delegated path
  const privileged = new Stack(app, 'Account', { env: ENV });
  for (const [id, roleName, path] of [['Deploy', DEPLOY_ROLE, '/'], ['OrgAdmin', 'OrganizationAdmin', '/'], ['Other', 'other-team-app', '/other-team/'], ['Delegated', 'team-a-app', PATH]]) {
    new iam.Role(privileged, id, { roleName, path, assumedBy: new iam.AccountRootPrincipal() });
  }
  const model = new AccessModel([team, privileged]);
  return { model, admin, control, boundary, reader };
}

interface Route { readonly action: string; readonly resource: string; readonly context?: Record<string, string> }
const route = (action: string, resource: string, context?: Record<string, string>): Route => ({ action, resource, context });
const lambdaPass = { 'iam:PassedToService': 'lambda.amazonaws.com' };

/** Routes the issue's ceiling (iam:*, sts:AssumeRole, lambda:*) opens without the guards. */
const ISSUE_ROUTES: [string, Route][] = [
  ['assume CDK\'s bootstrap deploy role (it passes the AdministratorAccess execution role)', route('sts:AssumeRole', iamArn(`role/${DEPLOY_ROLE}`))],
  ['assume a privileged role at the root path', route('sts:AssumeRole', iamArn('role/OrganizationAdmin'))],
  ['assume another team\'s role', route('sts:AssumeRole', iamArn('role/other-team/other-team-app'))],
  ['new version of a managed policy an administrator holds', route('iam:CreatePolicyVersion', iamArn('policy/AdminExtras'))],
  ['make an older, wider version of a policy the default', route('iam:SetDefaultPolicyVersion', iamArn('policy/AdminExtras'))],
  ['delete a policy version (to fall back to an older one)', route('iam:DeletePolicyVersion', iamArn('policy/AdminExtras'))],
  ['attach a policy to a group (groups carry no boundary)', route('iam:AttachGroupPolicy', iamArn('group/developers'))],
  ['write a group\'s inline policy', route('iam:PutGroupPolicy', iamArn('group/developers'))],
  ['detach a group\'s deny policy', route('iam:DetachGroupPolicy', iamArn('group/humans'))],
  ['delete a group\'s inline deny policy', route('iam:DeleteGroupPolicy', iamArn('group/humans'))],
  ['add a user to the administrators group', route('iam:AddUserToGroup', iamArn('group/admins'))],
  ['remove a user from a group with deny policies (e.g. MfaRequired)', route('iam:RemoveUserFromGroup', iamArn('group/humans'))],
  ['move a group into the delegated path', route('iam:UpdateGroup', iamArn('group/admins'))],
  ['tag a role outside the path (tag-based access control)', route('iam:TagRole', iamArn('role/OrganizationAdmin'))],
  ['untag a role outside the path', route('iam:UntagRole', iamArn('role/OrganizationAdmin'))],
  ['tag a user outside the path', route('iam:TagUser', iamArn('user/alice'))],
  ['untag a user outside the path', route('iam:UntagUser', iamArn('user/alice'))],
  ['move a user into the delegated path', route('iam:UpdateUser', iamArn('user/alice'))],
  ['create a role without the boundary', route('iam:CreateRole', iamArn('role/delegated/escape'))],
  ['attach AdministratorAccess to a role without the boundary', route('iam:AttachRolePolicy', iamArn('role/OrganizationAdmin'))],
  ['write an inline policy of a role without the boundary', route('iam:PutRolePolicy', iamArn('role/OrganizationAdmin'))],
  ['attach a policy to a user without the boundary', route('iam:AttachUserPolicy', iamArn('user/alice'))],
  ['write an inline policy of a user without the boundary', route('iam:PutUserPolicy', iamArn('user/alice'))],
  ['attach a policy to a role outside the path that carries this boundary (an administrator\'s capped role)', route('iam:AttachRolePolicy', iamArn('role/reports-reader'), { 'iam:PermissionsBoundary': BOUNDARY })],
  ['delete the session-revoking inline policy of a role outside the path that carries this boundary', route('iam:DeleteRolePolicy', iamArn('role/reports-reader'), { 'iam:PermissionsBoundary': BOUNDARY })],
  ['create a user outside the path, even with this boundary', route('iam:CreateUser', iamArn('user/ops-bot'), { 'iam:PermissionsBoundary': BOUNDARY })],
  ['swap in a wider boundary', route('iam:PutRolePermissionsBoundary', iamArn('role/delegated/app'), { 'iam:PermissionsBoundary': iamArn('policy/wide-open') })],
  ['remove a role\'s boundary', route('iam:DeleteRolePermissionsBoundary', iamArn('role/delegated/app'))],
  ['edit the boundary itself', route('iam:CreatePolicyVersion', BOUNDARY)],
  ['delete the boundary', route('iam:DeletePolicy', BOUNDARY)],
  ['pass a privileged role to a new Lambda function', route('iam:PassRole', iamArn('role/OrganizationAdmin'), lambdaPass)],
  ['pass a privileged role to EC2 (RunInstances, AddRoleToInstanceProfile, AssociateIamInstanceProfile all need it)', route('iam:PassRole', iamArn('role/OrganizationAdmin'), { 'iam:PassedToService': 'ec2.amazonaws.com' })],
  ['pass a privileged role to a Glue dev endpoint', route('iam:PassRole', iamArn('role/OrganizationAdmin'), { 'iam:PassedToService': 'glue.amazonaws.com' })],
  ['pass a privileged role to CloudFormation', route('iam:PassRole', iamArn('role/OrganizationAdmin'), { 'iam:PassedToService': 'cloudformation.amazonaws.com' })],
  ['pass a privileged role to Data Pipeline', route('iam:PassRole', iamArn('role/OrganizationAdmin'), { 'iam:PassedToService': 'datapipeline.amazonaws.com' })],
  ['make a privileged role trust the attacker', route('iam:UpdateAssumeRolePolicy', iamArn('role/OrganizationAdmin'))],
  ['create an access key for an administrator user', route('iam:CreateAccessKey', iamArn('user/admin'))],
  ['create a console password for an administrator user', route('iam:CreateLoginProfile', iamArn('user/admin'))],
  ['change an administrator user\'s console password', route('iam:UpdateLoginProfile', iamArn('user/admin'))],
  ['create a service-specific credential for an administrator user', route('iam:CreateServiceSpecificCredential', iamArn('user/admin'))],
  ['replace a SAML provider\'s metadata (forge sign-ins to roles that trust it)', route('iam:UpdateSAMLProvider', iamArn('saml-provider/corp'))],
  ['create an OIDC provider that a role trusts by name', route('iam:CreateOpenIDConnectProvider', iamArn('oidc-provider/token.actions.githubusercontent.com'))],
  ['change an OIDC provider\'s thumbprints', route('iam:UpdateOpenIDConnectProviderThumbprint', iamArn('oidc-provider/token.actions.githubusercontent.com'))],
  ['add an audience to an OIDC provider', route('iam:AddClientIDToOpenIDConnectProvider', iamArn('oidc-provider/token.actions.githubusercontent.com'))],
  ['replace the code of a function whose role is outside the boundary', route('lambda:UpdateFunctionCode', arn('lambda', 'function:billing-export'))],
  ['change the configuration (layers, handler, environment) of such a function', route('lambda:UpdateFunctionConfiguration', arn('lambda', 'function:billing-export'))],
];

/** Routes through other services that run code as a role, open under a ceiling that allows them. */
const RUN_CODE_ROUTES: [string, Route][] = [
  ['run a task of a privileged task definition with a command override', route('ecs:RunTask', arn('ecs', 'task-definition/billing:3'))],
  ['start such a task on a chosen container instance', route('ecs:StartTask', arn('ecs', 'task-definition/billing:3'))],
  ['open a shell in a running task of another cluster', route('ecs:ExecuteCommand', arn('ecs', 'task/billing-cluster/0123456789abcdef'))],
  ['start a build of a privileged CodeBuild project with a buildspec override', route('codebuild:StartBuild', arn('codebuild', 'project/release'))],
  ['start a batch build of such a project', route('codebuild:StartBuildBatch', arn('codebuild', 'project/release'))],
  ['change such a project\'s buildspec', route('codebuild:UpdateProject', arn('codebuild', 'project/release'))],
  ['add an SSH key to an existing Glue dev endpoint', route('glue:UpdateDevEndpoint', arn('glue', 'devEndpoint/etl'))],
  ['change the script of an existing Glue job', route('glue:UpdateJob', arn('glue', 'job/etl'))],
  ['open a SageMaker notebook that runs as a privileged role', route('sagemaker:CreatePresignedNotebookInstanceUrl', arn('sagemaker', 'notebook-instance/research'))],
  ['rewrite a state machine that runs as a privileged role', route('states:UpdateStateMachine', arn('states', 'stateMachine:payments'))],
  ['update a stack that CloudFormation deploys with its (AdministratorAccess) service role', route('cloudformation:UpdateStack', arn('cloudformation', 'stack/CDKToolkit/0f8fad5b'))],
  ['create a change set on such a stack', route('cloudformation:CreateChangeSet', arn('cloudformation', 'stack/CDKToolkit/0f8fad5b'))],
  ['submit a Batch job of a privileged job definition with a command override', route('batch:SubmitJob', arn('batch', 'job-definition/nightly:1'))],
  ['run a command on an instance through Systems Manager', route('ssm:SendCommand', arn('ec2', 'instance/i-0123456789abcdef0'))],
  ['open a Session Manager shell on an instance', route('ssm:StartSession', arn('ec2', 'instance/i-0123456789abcdef0'))],
  ['push an SSH key to an instance (EC2 Instance Connect)', route('ec2-instance-connect:SendSSHPublicKey', arn('ec2', 'instance/i-0123456789abcdef0'))],
  ['change the user data of an instance with a privileged instance profile', route('ec2:ModifyInstanceAttribute', arn('ec2', 'instance/i-0123456789abcdef0'), { 'ec2:InstanceProfile': iamArn('instance-profile/admin') })],
  ['rewrite an existing Data Pipeline definition', route('datapipeline:PutPipelineDefinition', arn('datapipeline', 'pipeline/df-0123456789ABCDEF'))],
];

/** What the delegated admin is meant to keep doing. */
const DELEGATED_WORK: [string, Route][] = [
  ['assume a role under the delegated path', route('sts:AssumeRole', iamArn('role/delegated/team-a-app'))],
  ['create a role under the path with the boundary', route('iam:CreateRole', iamArn('role/delegated/app'), { 'iam:PermissionsBoundary': BOUNDARY })],
  ['attach a policy to a role with the boundary', route('iam:AttachRolePolicy', iamArn('role/delegated/app'), { 'iam:PermissionsBoundary': BOUNDARY })],
  ['create a user under the path with the boundary', route('iam:CreateUser', iamArn('user/delegated/app-bot'), { 'iam:PermissionsBoundary': BOUNDARY })],
  ['pass a delegated role to Lambda', route('iam:PassRole', iamArn('role/delegated/app'), lambdaPass)],
  ['make a delegated role trust a service', route('iam:UpdateAssumeRolePolicy', iamArn('role/delegated/app'))],
  ['new version of a delegated policy', route('iam:CreatePolicyVersion', iamArn('policy/delegated/app-policy'))],
  ['make a version of a delegated policy the default', route('iam:SetDefaultPolicyVersion', iamArn('policy/delegated/app-policy'))],
  ['attach a policy to a delegated group', route('iam:AttachGroupPolicy', iamArn('group/delegated/app-users'))],
  ['tag a delegated role', route('iam:TagRole', iamArn('role/delegated/app'))],
  ['update the code of a delegated function', route('lambda:UpdateFunctionCode', arn('lambda', 'function:team-a-api'))],
  ['update the configuration of a delegated function', route('lambda:UpdateFunctionConfiguration', arn('lambda', 'function:team-a-api'))],
];
const DELEGATED_RUN_CODE: [string, Route][] = [
  ['run a task of a delegated task definition', route('ecs:RunTask', arn('ecs', 'task-definition/team-a-worker:7'))],
  ['open a shell in a task of a delegated cluster', route('ecs:ExecuteCommand', arn('ecs', 'task/team-a-cluster/0123456789abcdef'))],
  ['start a build of a delegated project', route('codebuild:StartBuild', arn('codebuild', 'project/team-a-ci'))],
  ['update a delegated stack', route('cloudformation:UpdateStack', arn('cloudformation', 'stack/team-a-service/0f8fad5b'))],
  ['rewrite a delegated state machine', route('states:UpdateStateMachine', arn('states', 'stateMachine:team-a-flow'))],
  ['submit a job of a delegated job definition', route('batch:SubmitJob', arn('batch', 'job-definition/team-a-nightly:1'))],
  ['open a delegated SageMaker notebook (its ARN is lower case)', route('sagemaker:CreatePresignedNotebookInstanceUrl', arn('sagemaker', 'notebook-instance/team-a-lab'))],
  ['change the user data of an instance with a delegated instance profile', route('ec2:ModifyInstanceAttribute', arn('ec2', 'instance/i-0123456789abcdef0'), { 'ec2:InstanceProfile': iamArn('instance-profile/delegated/app') })],
];

describe.each(FLAG_SETS)('DeveloperBoundary escalation routes (%s feature flags)', (flags) => {
  const issue = build(flags, ISSUE_CEILING);
  const wide = build(flags, WIDE_CEILING);
  const check = (setup: ReturnType<typeof build>, principal: iam.IRole, r: Route) =>
    setup.model.check({ principal, action: r.action, resource: r.resource, context: r.context ?? {}, resourceAccount: ACCOUNT });

  test.each(ISSUE_ROUTES)('under the issue\'s ceiling: %s is denied, and open without the boundary', (_name, r) => {
    expect(check(issue, issue.admin, r)).toBe('ExplicitlyDenied');
    expect(check(issue, issue.control, r)).toBe('Allowed');
  });

  test.each(RUN_CODE_ROUTES)('under a ceiling with every run-code service: %s is denied, and open without the boundary', (_name, r) => {
    expect(check(wide, wide.admin, r)).toBe('ExplicitlyDenied');
    expect(check(wide, wide.control, r)).toBe('Allowed');
  });

  test.each(DELEGATED_WORK)('control: the delegated admin may still %s', (_name, r) => {
    expect(check(issue, issue.admin, r)).toBe('Allowed');
  });

  test.each(DELEGATED_RUN_CODE)('control: under the wide ceiling the delegated admin may still %s', (_name, r) => {
    expect(check(wide, wide.admin, r)).toBe('Allowed');
  });

  test('a role listed in assumableRoles may be assumed although it is outside the path', () => {
    expect(check(issue, issue.admin, route('sts:AssumeRole', iamArn('role/auditor-read')))).toBe('Allowed');
  });

  test('the boundary with the widest ceiling stays under IAM\'s 6,144-character limit for managed policies', () => {
    expect(wide.boundary.policySize).toBeLessThan(6144);
  });
});
