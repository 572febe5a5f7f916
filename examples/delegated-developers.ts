import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { Acknowledgements, DeveloperBoundary, MfaRequired, SecureKey } from '../lib';
import { Example } from './example';

const DEFAULT_ACCOUNT = '111111111111';

/**
 * One account's people and its delegated administrators. Every IAM user goes in `Humans`, where
 * `MfaRequired` denies everything until they sign in with MFA, lets them enrol a device only from a
 * console sign-in (never with a bare access key), and alerts on every MFA-device and access-key change.
 * Team A's developers (`TeamA` group, with MFA) assume `TeamAAdmin`, which may create roles, functions
 * and stacks for the team but is capped by a `DeveloperBoundary`: roles only under
 * `/delegated/team-a/` and with the same boundary, compute only named `team-a-…`, no way into a role
 * outside the path (CDK's bootstrap roles included), no user credentials, groups or identity providers.
 *
 * IAM's events reach EventBridge in us-east-1 only, so the stack is there. Context: `account`
 * (default 111111111111), `alert-email` (optional subscription).
 */
export const delegatedDevelopers: Example = {
  name: 'delegated-developers',
  description: 'IAM users under MfaRequired with enrolment alerts; a team admin role capped by a DeveloperBoundary',
  build(scope: Construct) {
    const context = (key: string): string | undefined => scope.node.tryGetContext(key);
    const account = context('account') ?? DEFAULT_ACCOUNT;
    const alertEmail = context('alert-email');
    if (!/^\d{12}$/.test(account)) {
      throw new Error(`delegated-developers: context account must be a 12-digit AWS account id, got "${account}"`);
    }
    if (alertEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(alertEmail)) {
      throw new Error(`delegated-developers: context alert-email must be an email address, got "${alertEmail}"`);
    }
    const stack = new Stack(scope, 'DelegatedDevelopers', {
      env: { account, region: 'us-east-1' },
      description: 'cdk-security-patterns delegated-developers example: MfaRequired with alerts, a DeveloperBoundary for team A',
    });

    // People: MFA first, and an alert whenever a device or access key is added or removed.
    const key = new SecureKey(stack, 'AlertKey', { description: 'Encrypts the MFA and access-key alerts' });
    // EventBridge sends no source keys on the KMS calls behind a publish to an encrypted topic; the
    // topic policy (written by MfaRequired) names the alert rule.
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }));
    const alerts = new sns.Topic(stack, 'IdentityAlerts', { displayName: 'MFA device and access key changes', masterKey: key, enforceSSL: true });
    if (alertEmail !== undefined) alerts.addSubscription(new subscriptions.EmailSubscription(alertEmail));
    const humans = new iam.Group(stack, 'Humans', { groupName: 'humans', path: '/people/' });
    new MfaRequired(stack, 'RequireMfa', { groups: [humans], alertTopic: alerts });

    // Team A's ceiling: what the team's roles may ever do.
    const ceiling = [
      new iam.PolicyStatement({
        actions: ['lambda:*', 'dynamodb:*', 's3:*', 'logs:*', 'cloudformation:*', 'sts:AssumeRole', 'iam:Get*', 'iam:List*',
          'iam:CreateRole', 'iam:DeleteRole', 'iam:PassRole', 'iam:UpdateAssumeRolePolicy', 'iam:TagRole', 'iam:UntagRole',
          'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:PutRolePermissionsBoundary',
          'iam:CreatePolicy', 'iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion'],
        resources: ['*'],
      }),
    ];
    const boundary = new DeveloperBoundary(stack, 'TeamABoundary', {
      managedPolicyName: 'team-a-boundary',
      allowedStatements: ceiling,
      delegatedRolePath: '/delegated/team-a/',
      delegatedResourcePrefix: 'team-a-',
    });
    const admin = new iam.Role(stack, 'TeamAAdmin', {
      roleName: 'team-a-admin',
      description: 'Team A delegated administrator: creates the team\'s roles, functions and stacks, capped by team-a-boundary',
      assumedBy: new iam.AccountRootPrincipal().withConditions({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }),
      permissionsBoundary: boundary,
    });
    const adminPolicy = new iam.ManagedPolicy(stack, 'TeamAAdminPolicy', { roles: [admin], statements: ceiling });
    const team = new iam.Group(stack, 'TeamA', { groupName: 'team-a', path: '/people/' });
    new iam.ManagedPolicy(stack, 'AssumeTeamAAdmin', {
      groups: [team],
      statements: [new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [admin.roleArn] })],
    });

    const reason = 'The delegated admin\'s identity policy equals the team\'s ceiling on purpose: DeveloperBoundary caps it, '
      + 'so it can do nothing outside /delegated/team-a/ and team-a-* resources, whatever its own policy says';
    Acknowledgements.of(adminPolicy).add(
      { id: 'AwsSolutions-IAM5', reason },
      ...Acknowledgements.inComplianceFrameworks('IAMPolicyNoStatementsWithFullAccess', reason),
      { id: 'iam_managed_policy_no_statements_with_full_access_check', reason },
    );
    const noUsers = 'Administrators add IAM users to these groups outside this stack (users and their credentials are not kept in templates)';
    for (const group of [humans, team]) {
      Acknowledgements.of(group).add(...Acknowledgements.inComplianceFrameworks('IAMGroupHasUsers', noUsers));
    }
    return [stack];
  },
};
