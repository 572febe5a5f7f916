import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack, Stage } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CrossAccountRole, TrustedAccount } from '../lib/identity';
import { OrganizationStackSet, StackSetAccounts, StackSetTarget } from '../lib/organization';

/**
 * Deploys, in an organization's management account with trusted access for StackSets, a
 * service-managed StackSet that rolls an audit role out to every account of an OU, then asks
 * CloudFormation what it holds: the StackSet's permission model, automatic deployment and template
 * (the role, its trust in the audit account with the ExternalId, no bootstrap-version check), and
 * the stack instances, waited for until every one is CURRENT, and the template summary (one IAM
 * role, the named-IAM capability).
 *
 * Environment (placeholders keep the committed snapshot stable): INTEG_ROLLOUT_OU (an OU with at
 * least one account), INTEG_AUDIT_ACCOUNT (the account the role trusts).
 */
const OU_ID = process.env.INTEG_ROLLOUT_OU ?? 'ou-a1b2-c3d4e5f6';
const AUDIT_ACCOUNT = process.env.INTEG_AUDIT_ACCOUNT ?? '444444444444';
const EXTERNAL_ID = '5d7e2b1c-9f3a-4c6d-8e1b-2a4c6e8f0b13';

const app = new App();
const audit = new Stack(new Stage(app, 'IntegRolloutTemplates'), 'AuditRole');
new CrossAccountRole(audit, 'Role', {
  roleName: 'IntegSecurityAudit',
  description: 'integ test: rolled out by a StackSet',
  trustedAccounts: [TrustedAccount.account(AUDIT_ACCOUNT, { externalId: EXTERNAL_ID })],
  managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('SecurityAudit')],
});

const stack = new Stack(app, 'IntegOrganizationRollout');
const stackSet = new OrganizationStackSet(stack, 'AuditRole', {
  stack: audit,
  stackSetName: 'integ-security-audit-role',
  targets: [StackSetTarget.organizationalUnitId(OU_ID)],
  regions: ['us-east-1'],
  maxConcurrentAccounts: StackSetAccounts.percentage(100),
  failureTolerance: StackSetAccounts.percentage(100),
});

const integ = new IntegTest(app, 'OrganizationRolloutTest', { testCases: [stack] });

integ.assertions.awsApiCall('CloudFormation', 'describeStackSet', { StackSetName: stackSet.stackSetName, CallAs: 'SELF' })
  .expect(ExpectedResult.objectLike({
    StackSet: Match.objectLike({
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      TemplateBody: Match.stringLikeRegexp(`"RoleName":"IntegSecurityAudit".*${AUDIT_ACCOUNT}:root`),
    }),
  }));

// Automatic deployment runs after the StackSet exists: retry until every instance is in place.
const instances = integ.assertions.awsApiCall('CloudFormation', 'listStackInstances', { StackSetName: stackSet.stackSetName, CallAs: 'SELF' });
instances.expect(ExpectedResult.objectLike({
  Summaries: Match.arrayWith([Match.objectLike({ OrganizationalUnitId: OU_ID, Region: 'us-east-1', Status: 'CURRENT' })]),
}));
instances.waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) });

integ.assertions.awsApiCall('CloudFormation', 'getTemplateSummary', { StackSetName: stackSet.stackSetName, CallAs: 'SELF' })
  .expect(ExpectedResult.objectLike({
    Capabilities: Match.arrayWith(['CAPABILITY_NAMED_IAM']),
    ResourceTypes: ['AWS::IAM::Role'],
  }));

app.synth();
