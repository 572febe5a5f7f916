import type { Simulation } from '@cloud-copilot/iam-simulate';
import { IDLE_MS, simulateSync, workerRunning } from './simulator';

// The synchronous bridge to iam-simulate, and the iam-simulate behaviours the model works around:
// if one of these starts failing after an upgrade, the matching workaround can go (see README.md).
const base = (over: Partial<Simulation['request']> = {}, rest: Partial<Simulation> = {}): Simulation => ({
  request: {
    principal: 'arn:aws:sts::111111111111:assumed-role/r/s', action: 's3:GetObject',
    resource: { resource: 'arn:aws:s3:::b/k', accountId: '111111111111' }, contextVariables: {}, ...over,
  },
  identityPolicies: [{ name: 'admin', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
  serviceControlPolicies: [],
  resourceControlPolicies: [],
  ...rest,
});

test('answers synchronously with the decision and the deciding statements', () => {
  const out = simulateSync(base());
  expect(out.result.resultType === 'single' && out.result.overallResult).toBe('Allowed');
  expect(out.grants).toEqual([expect.objectContaining({ policyType: 'identity', policyIdentifier: 'admin', statementIndex: 1 })]);
});

test('the worker ends once idle, and a new one starts on demand', async () => {
  simulateSync(base());
  expect(workerRunning()).toBe(true);
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS + 300));
  expect(workerRunning()).toBe(false);
  expect(simulateSync(base()).result.resultType).toBe('single');
});

test('quirk: without a trust policy iam-simulate allows a same-account sts:AssumeRole (the model refuses roles outside its stacks)', () => {
  const out = simulateSync(base({ action: 'sts:AssumeRole', resource: { resource: 'arn:aws:iam::111111111111:role/x', accountId: '111111111111' } }));
  expect(out.result.resultType === 'single' && out.result.overallResult).toBe('Allowed');
});

test('quirk: secretsmanager:ResourceTag/<key> crashes iam-simulate (the model rewrites it to aws:ResourceTag/<key>)', () => {
  expect(() => simulateSync(base({ action: 'secretsmanager:GetSecretValue', resource: { resource: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:x-AbCdEf', accountId: '111111111111' }, contextVariables: { 'secretsmanager:ResourceTag/team': 'a' } })))
    .toThrow(/AccessModel: iam-simulate failed: Error: Condition key secretsmanager:resourcetag\/team not found/);
});

test('quirk: request-derived keys such as aws:PrincipalArn are not filled in (the model sets them)', () => {
  const withCondition = base({}, {
    identityPolicies: [{ name: 'p', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/r' } } }] } }],
  });
  const out = simulateSync(withCondition);
  expect(out.result.resultType === 'single' && out.result.overallResult).toBe('ImplicitlyDenied');
});

test('quirk: a single-valued key given an array keeps its first element (the model throws instead)', () => {
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'b' } } }] };
  const out = simulateSync(base({ action: 'sts:AssumeRole', resource: { resource: 'arn:aws:iam::111111111111:role/x', accountId: '111111111111' }, contextVariables: { 'sts:ExternalId': ['a', 'b'] } }, { resourcePolicy: trust }));
  expect(out.singleValuedArrays).toEqual(['sts:ExternalId']);
  expect(out.result.resultType === 'single' && out.result.overallResult).toBe('ImplicitlyDenied');
});

test('quirk: claims of arbitrary OIDC providers are ignored context keys', () => {
  const out = simulateSync(base({
    principal: 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com', action: 'sts:AssumeRoleWithWebIdentity',
    resource: { resource: 'arn:aws:iam::111111111111:role/x', accountId: '111111111111' }, contextVariables: { 'token.actions.githubusercontent.com:sub': 'repo:o/r:ref:refs/heads/main' },
  }, { identityPolicies: [] }));
  expect(out.result.resultType === 'single' && out.result.result.ignoredContextKeys).toEqual(['token.actions.githubusercontent.com:sub']);
});

test('quirk: kms:EncryptionContext:<key> is an ignored context key (the model carries it as aws:RequestTag/kms:EncryptionContext:<key>)', () => {
  const out = simulateSync(base({
    action: 'kms:Decrypt', resource: { resource: 'arn:aws:kms:us-east-1:111111111111:key/k', accountId: '111111111111' },
    contextVariables: { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::b' },
  }));
  expect(out.result.resultType === 'single' && out.result.result.ignoredContextKeys).toEqual(['kms:EncryptionContext:aws:s3:arn']);
});
