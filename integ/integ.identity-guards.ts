import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DeveloperBoundary, MfaRequired } from '../lib/identity';

/**
 * Asks IAM itself (its policy simulator, SimulatePrincipalPolicy, which applies the entity's
 * permissions boundary and its groups' policies) about the escalation routes DeveloperBoundary
 * closes and about MfaRequired's enrolment rule, on a deployed delegated admin and a deployed user:
 * the denials must be explicit, and the delegated work and console enrolment must stay allowed.
 */
const app = new App();
const stack = new Stack(app, 'IntegIdentityGuards');
const ceiling = [new iam.PolicyStatement({ actions: ['iam:*', 'sts:AssumeRole', 'lambda:*'], resources: ['*'] })];
const boundary = new DeveloperBoundary(stack, 'Boundary', {
  allowedStatements: ceiling,
  delegatedRolePath: '/delegated/integ/',
  delegatedResourcePrefix: 'integ-',
});
const admin = new iam.Role(stack, 'DelegatedAdmin', {
  description: 'integ test: a delegated admin with iam:*, sts:AssumeRole and lambda:* capped by the boundary',
  assumedBy: new iam.AccountRootPrincipal(),
  permissionsBoundary: boundary,
  inlinePolicies: { Ceiling: new iam.PolicyDocument({ statements: ceiling }) },
});
const humans = new iam.Group(stack, 'Humans', { path: '/integ/' });
const user = new iam.User(stack, 'User', { path: '/integ/', groups: [humans] });
new MfaRequired(stack, 'Mfa', { groups: [humans] });
// what the user may do once MFA lets it: enrol its own device
new iam.ManagedPolicy(stack, 'UserPolicy', { groups: [humans], statements: [new iam.PolicyStatement({ actions: ['iam:*'], resources: ['*'] })] });

const integ = new IntegTest(app, 'IdentityGuardsTest', { testCases: [stack] });
const arn = (service: string, resource: string, region = stack.region) => stack.formatArn({ service, region, resource });
const iamArn = (resource: string) => arn('iam', resource, '');

function simulate(source: string, action: string, resource: string, decision: string, context: { key: string; value: string }[] = []) {
  integ.assertions.awsApiCall('IAM', 'simulatePrincipalPolicy', {
    PolicySourceArn: source,
    ActionNames: [action],
    ResourceArns: [resource],
    ContextEntries: context.map((c) => ({ ContextKeyName: c.key, ContextKeyValues: [c.value], ContextKeyType: c.key.includes('MultiFactor') ? 'boolean' : 'string' })),
  }).expect(ExpectedResult.objectLike({ EvaluationResults: [{ EvalActionName: action, EvalDecision: decision }] }))
    .waitForAssertions({ totalTimeout: Duration.minutes(3), interval: Duration.seconds(15) });
}

const deployRole = iamArn(`role/cdk-hnb659fds-deploy-role-${stack.account}-${stack.region}`);
simulate(admin.roleArn, 'sts:AssumeRole', deployRole, 'explicitDeny');
simulate(admin.roleArn, 'sts:AssumeRole', iamArn('role/delegated/integ/app'), 'allowed');
simulate(admin.roleArn, 'iam:CreatePolicyVersion', iamArn('policy/AdminExtras'), 'explicitDeny');
simulate(admin.roleArn, 'iam:AttachGroupPolicy', iamArn('group/admins'), 'explicitDeny');
simulate(admin.roleArn, 'iam:TagRole', iamArn('role/OrganizationAdmin'), 'explicitDeny');
simulate(admin.roleArn, 'lambda:UpdateFunctionCode', arn('lambda', 'function:billing-export'), 'explicitDeny');
simulate(admin.roleArn, 'lambda:UpdateFunctionCode', arn('lambda', 'function:integ-api'), 'allowed');
simulate(admin.roleArn, 'iam:UpdateSAMLProvider', iamArn('saml-provider/corp'), 'explicitDeny');

// aws:username is passed because the simulator resolves policy variables from the context
const self = { key: 'aws:username', value: user.userName };
simulate(user.userArn, 'iam:EnableMFADevice', user.userArn, 'explicitDeny', [self]);
simulate(user.userArn, 'iam:EnableMFADevice', user.userArn, 'allowed', [self, { key: 'aws:MultiFactorAuthPresent', value: 'false' }]);
simulate(user.userArn, 'iam:CreateAccessKey', user.userArn, 'explicitDeny', [self, { key: 'aws:MultiFactorAuthPresent', value: 'false' }]);

app.synth();
