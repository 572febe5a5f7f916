import { Aws, CfnParameter, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { TrustedAccount } from '../../lib/identity';
import { testApp } from '../support/app';

const UUID = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('TrustedAccount', () => {
  test('account trusts the account root and knows its id', () => {
    const trust = TrustedAccount.account('111111111111');
    expect(trust.accountIds).toEqual(['111111111111']);
    expect(trust.externalId).toBeUndefined();
    expect(trust._principals).toHaveLength(1);
    expect(trust._principals[0]).toBeInstanceOf(iam.AccountPrincipal);
    expect(trust._conditions()).toEqual({});
  });

  test('thirdParty requires the ExternalId through sts:ExternalId', () => {
    const trust = TrustedAccount.thirdParty('333333333333', UUID);
    expect(trust.externalId).toBe(UUID);
    expect(trust._thirdParty).toBe(true);
    expect(trust._conditions()).toEqual({ StringEquals: { 'sts:ExternalId': UUID } });
  });

  test('organization trusts any principal of the organization through aws:PrincipalOrgID', () => {
    const trust = TrustedAccount.organization('o-a1b2c3d4e5');
    expect(trust.accountIds).toEqual([]);
    expect(trust._principals[0]).toBeInstanceOf(iam.AnyPrincipal);
    expect(trust._conditions()).toEqual({ StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } });
  });

  test('roles trusts the role ARNs, knows their account and counts as role chaining', () => {
    const stack = new Stack(testApp(), 'S', { env: { account: '111111111111', region: 'us-east-1' } });
    const role = iam.Role.fromRoleArn(stack, 'R', 'arn:aws:iam::444444444444:role/Deployer');
    const trust = TrustedAccount.roles([role], { externalId: UUID });
    expect(trust.accountIds).toEqual(['444444444444']);
    expect(trust._roleChaining).toBe(true);
    expect(stack.resolve((trust._principals[0] as iam.ArnPrincipal).arn)).toBe('arn:aws:iam::444444444444:role/Deployer');
  });

  test('principalArns parses the account of each ARN', () => {
    const trust = TrustedAccount.principalArns(['arn:aws:iam::555555555555:user/alice', 'arn:aws:iam::666666666666:role/path/ci']);
    expect(trust.accountIds).toEqual(['555555555555', '666666666666']);
    expect(trust._roleChaining).toBe(true);
  });

  test('a user-only principalArns trust is not role chaining', () => {
    expect(TrustedAccount.principalArns(['arn:aws:iam::555555555555:user/alice'])._roleChaining).toBe(false);
  });

  test('skips the checks for values only known at deploy time (tokens)', () => {
    const stack = new Stack(testApp(), 'S');
    const externalId = new CfnParameter(stack, 'ExternalId').valueAsString;
    const trust = TrustedAccount.thirdParty(Aws.ACCOUNT_ID, externalId);
    expect(trust.externalId).toBe(externalId);
    expect(trust.accountIds).toEqual([]); // not known at synth time
    expect(TrustedAccount.organization(new CfnParameter(stack, 'Org').valueAsString).organizationId).toBeDefined();
  });

  test('fails when the account id is not 12 digits', () => {
    expect(() => TrustedAccount.account('12345')).toThrow('TrustedAccount.account: accountId must be a 12-digit AWS account id, got "12345"');
  });

  test('fails when the third party account id is not 12 digits', () => {
    expect(() => TrustedAccount.thirdParty('acme', UUID)).toThrow('TrustedAccount.thirdParty: accountId must be a 12-digit AWS account id, got "acme"');
  });

  test('fails when the ExternalId is shorter than 2 characters', () => {
    expect(() => TrustedAccount.thirdParty('333333333333', 'x')).toThrow(
      'TrustedAccount.thirdParty: externalId must be 2 to 1224 characters long (the limits of sts:AssumeRole), got 1 characters ("x"); use a random value such as a UUID');
  });

  test('fails when the ExternalId is longer than 1224 characters', () => {
    expect(() => TrustedAccount.thirdParty('333333333333', 'a1'.repeat(613))).toThrow(/externalId must be 2 to 1224 characters long \(the limits of sts:AssumeRole\), got 1226 characters/);
  });

  test('fails when the ExternalId has a character STS rejects', () => {
    expect(() => TrustedAccount.account('111111111111', { externalId: 'abc def' })).toThrow(
      'TrustedAccount.account: externalId may only contain letters, digits and + = , . @ : / - _ (the characters sts:AssumeRole accepts), got "abc def" with " "; use a random value such as a UUID');
  });

  test('accepts an ExternalId of exactly 2 and exactly 1224 characters, the limits of STS', () => {
    expect(TrustedAccount.account('111111111111', { externalId: 'a1' }).externalId).toBe('a1');
    expect(TrustedAccount.account('111111111111', { externalId: 'a'.repeat(1224) }).externalId).toHaveLength(1224);
  });

  test('fails when the ExternalId is 1225 characters, one over the limit', () => {
    expect(() => TrustedAccount.account('111111111111', { externalId: 'a'.repeat(1225) })).toThrow(
      `TrustedAccount.account: externalId must be 2 to 1224 characters long (the limits of sts:AssumeRole), got 1225 characters ("${'a'.repeat(40)}..."); use a random value such as a UUID`);
  });

  test.each(['#', '*', '!', '~', 'é', '\n', '"', ';'])('fails when the ExternalId contains %j, which STS rejects', (bad) => {
    expect(() => TrustedAccount.thirdParty('333333333333', `0f8fad5b${bad}d9cb`)).toThrow(
      `TrustedAccount.thirdParty: externalId may only contain letters, digits and + = , . @ : / - _ (the characters sts:AssumeRole accepts), got "0f8fad5b${bad}d9cb" with "${bad}"; use a random value such as a UUID`);
  });

  test('accepts every character STS allows in an ExternalId', () => {
    expect(TrustedAccount.account('111111111111', { externalId: 'aZ09_+=,.@:/-' }).externalId).toBe('aZ09_+=,.@:/-');
  });

  test('fails when roles is empty', () => {
    expect(() => TrustedAccount.roles([])).toThrow('TrustedAccount.roles: roles must name at least one role, got an empty list; pass the roles that may assume this role, or use TrustedAccount.account(accountId)');
  });

  test('fails when principalArns is empty', () => {
    expect(() => TrustedAccount.principalArns([])).toThrow('TrustedAccount.principalArns: arns must name at least one IAM role or user ARN, got an empty list');
  });

  test('fails when a principal ARN is not a role or user ARN', () => {
    expect(() => TrustedAccount.principalArns(['arn:aws:iam::111111111111:root'])).toThrow(
      'TrustedAccount.principalArns: "arn:aws:iam::111111111111:root" is not an IAM role or user ARN; expected e.g. arn:aws:iam::111111111111:role/Deployer (for a whole account use TrustedAccount.account)');
  });

  test('fails when the organization id is malformed', () => {
    expect(() => TrustedAccount.organization('org-123')).toThrow(
      'TrustedAccount.organization: organizationId must look like o-a1b2c3d4e5 ("o-" and 10 to 32 lower-case letters or digits), got "org-123"');
  });
});
