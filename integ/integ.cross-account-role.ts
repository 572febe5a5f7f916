import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CrossAccountRole, TrustedAccount } from '../lib/identity';
import { DEFAULT_NODEJS_RUNTIME } from '../lib/private/lambda-runtime';

/**
 * Deploys a CrossAccountRole that requires an ExternalId and really calls sts:AssumeRole on it:
 * with the ExternalId it must succeed; without it, or with a wrong one, STS must refuse. Two more
 * roles check revokeSessions in IAM itself: a session issued before the cut-off is denied, one
 * issued after it is not. The trusted account is the test account itself, so one account is enough.
 */
const EXTERNAL_ID = 'c2a4f8e6-3b1d-4e5f-9a7c-1d2e3f4a5b6c';

const app = new App();
const stack = new Stack(app, 'IntegCrossAccountRole');
const role = new CrossAccountRole(stack, 'Role', {
  description: 'integ test: assumable only with the ExternalId',
  trustedAccounts: [TrustedAccount.account(stack.account, { externalId: EXTERNAL_ID })],
});

// Every session of this role is older than its cut-off: it assumes fine but may do nothing.
const revoked = new CrossAccountRole(stack, 'RevokedRole', {
  description: 'integ test: every session revoked',
  trustedAccounts: [TrustedAccount.account(stack.account)],
});
revoked.revokeSessions(new Date('2100-01-01T00:00:00Z'));
// Every session of this role is newer than its cut-off: the deny never applies.
const active = new CrossAccountRole(stack, 'ActiveRole', {
  description: 'integ test: sessions issued after the cut-off',
  trustedAccounts: [TrustedAccount.account(stack.account)],
});
active.revokeSessions(new Date('2020-01-01T00:00:00Z'));
for (const r of [revoked, active]) {
  r.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['iam:GetRole'], resources: [r.roleArn] }));
}

// STS errors are the expected outcome for two of the three calls; an SDK call assertion would fail the
// custom resource on them, so a small function makes the calls and reports each outcome by name.
const probe = new lambda.Function(stack, 'Probe', {
  runtime: DEFAULT_NODEJS_RUNTIME,
  handler: 'index.handler',
  timeout: Duration.seconds(30),
  environment: { ROLE_ARN: role.roleArn, EXTERNAL_ID, REVOKED_ROLE_ARN: revoked.roleArn, ACTIVE_ROLE_ARN: active.roleArn },
  code: lambda.Code.fromInline(`
const { STSClient, AssumeRoleCommand } = require('@aws-sdk/client-sts');
const { IAMClient, GetRoleCommand } = require('@aws-sdk/client-iam');
const sts = new STSClient({});
async function assume(roleArn, extra) {
  const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'integ-probe', DurationSeconds: 900, ...extra }));
  return out.Credentials;
}
async function attempt(extra) {
  try {
    await assume(process.env.ROLE_ARN, extra);
    return 'Assumed';
  } catch (e) {
    return e.name;
  }
}
async function useSession(roleArn) {
  let c;
  try {
    c = await assume(roleArn, {});
  } catch (e) {
    return 'AssumeFailed:' + e.name;
  }
  const client = new IAMClient({ credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken } });
  try {
    await client.send(new GetRoleCommand({ RoleName: roleArn.split('/').pop() }));
    return 'Allowed';
  } catch (e) {
    return e.name;
  }
}
exports.handler = async () => ({
  withoutExternalId: await attempt({}),
  wrongExternalId: await attempt({ ExternalId: '00000000-0000-4000-8000-000000000000' }),
  withExternalId: await attempt({ ExternalId: process.env.EXTERNAL_ID }),
  sessionBeforeCutOff: await useSession(process.env.REVOKED_ROLE_ARN),
  sessionAfterCutOff: await useSession(process.env.ACTIVE_ROLE_ARN),
});
`),
});
for (const r of [role, revoked, active]) r.grantAssume(probe);

const integ = new IntegTest(app, 'CrossAccountRoleTest', { testCases: [stack] });

// New trust policies take a few seconds to reach STS: wait until the right ExternalId works. Only the
// session's ARN comes back, never its credentials.
const assumed = integ.assertions.awsApiCall('STS', 'assumeRole', {
  RoleArn: role.roleArn,
  RoleSessionName: 'integ-assertion',
  ExternalId: EXTERNAL_ID,
  DurationSeconds: 900,
});
assumed.assertAtPath('AssumedRoleUser.Arn', ExpectedResult.stringLikeRegexp(':assumed-role/.+/integ-assertion$'));
assumed.waitForAssertions({ totalTimeout: Duration.minutes(3), interval: Duration.seconds(10) });

// Retried too, so the revocation policies have reached IAM; every outcome must hold at once.
const outcomes = integ.assertions.invokeFunction({ functionName: probe.functionName });
// integ-tests-alpha's assertion provider asks for "lambda:Invoke", which IAM does not have (next to the
// real lambda:InvokeFunction): cfn-lint's W3037 is turned off for that generated template only.
Stack.of(outcomes).templateOptions.metadata = { 'cfn-lint': { config: { ignore_checks: ['W3037'] } } };
outcomes.expect(ExpectedResult.objectLike({
  Payload: JSON.stringify({
    withoutExternalId: 'AccessDenied',
    wrongExternalId: 'AccessDenied',
    withExternalId: 'Assumed',
    sessionBeforeCutOff: 'AccessDenied',
    sessionAfterCutOff: 'Allowed',
  }),
}));
outcomes.waitForAssertions({ totalTimeout: Duration.minutes(3), interval: Duration.seconds(15) });
assumed.next(outcomes);

app.synth();
