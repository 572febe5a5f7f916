import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CrossAccountRole, TrustedAccount } from '../lib/identity';

/**
 * Deploys a CrossAccountRole that requires an ExternalId and really calls sts:AssumeRole on it:
 * with the ExternalId it must succeed; without it, or with a wrong one, STS must refuse.
 * The trusted account is the test account itself, so one account is enough.
 */
const EXTERNAL_ID = 'c2a4f8e6-3b1d-4e5f-9a7c-1d2e3f4a5b6c';

const app = new App();
const stack = new Stack(app, 'IntegCrossAccountRole');
const role = new CrossAccountRole(stack, 'Role', {
  description: 'integ test: assumable only with the ExternalId',
  trustedAccounts: [TrustedAccount.account(stack.account, { externalId: EXTERNAL_ID })],
});

// STS errors are the expected outcome for two of the three calls; an SDK call assertion would fail the
// custom resource on them, so a small function makes the calls and reports each outcome by name.
const probe = new lambda.Function(stack, 'Probe', {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  timeout: Duration.seconds(30),
  environment: { ROLE_ARN: role.roleArn, EXTERNAL_ID },
  code: lambda.Code.fromInline(`
const { STSClient, AssumeRoleCommand } = require('@aws-sdk/client-sts');
const sts = new STSClient({});
async function attempt(extra) {
  try {
    await sts.send(new AssumeRoleCommand({ RoleArn: process.env.ROLE_ARN, RoleSessionName: 'integ-probe', DurationSeconds: 900, ...extra }));
    return 'Assumed';
  } catch (e) {
    return e.name;
  }
}
exports.handler = async () => ({
  withoutExternalId: await attempt({}),
  wrongExternalId: await attempt({ ExternalId: '00000000-0000-4000-8000-000000000000' }),
  withExternalId: await attempt({ ExternalId: process.env.EXTERNAL_ID }),
});
`),
});
role.grantAssume(probe);

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

const outcomes = integ.assertions.invokeFunction({ functionName: probe.functionName });
outcomes.expect(ExpectedResult.objectLike({
  Payload: JSON.stringify({ withoutExternalId: 'AccessDenied', wrongExternalId: 'AccessDenied', withExternalId: 'Assumed' }),
}));
assumed.next(outcomes);

app.synth();
