import { Annotations as CdkAnnotations, CfnParameter, Duration, PhysicalName, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CrossAccountRole, CrossAccountRoleProps, TrustedAccount } from '../../lib/identity';
import { testApp } from '../support/app';

const UUID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const PROD = { account: '222222222222', region: 'us-east-1' };

function build(props: Partial<CrossAccountRoleProps> = {}) {
  const app = testApp();
  const stack = new Stack(app, 'Prod', { env: PROD });
  const role = new CrossAccountRole(stack, 'Cross', { trustedAccounts: [TrustedAccount.account('111111111111')], ...props });
  return { app, stack, role };
}

function trustStatements(stack: Stack): any[] {
  const roles = Template.fromStack(stack).findResources('AWS::IAM::Role');
  return Object.values(roles)[0].Properties.AssumeRolePolicyDocument.Statement;
}

/** A dev account with a named Developer role, so the prod account can refer to it, and a prod account, in one app. */
function accounts() {
  const app = testApp();
  const dev = new Stack(app, 'Dev', { env: { account: '111111111111', region: 'us-east-1' } });
  const prod = new Stack(app, 'Prod', { env: PROD });
  const developer = new iam.Role(dev, 'Developer', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'developer' });
  return { dev, prod, developer };
}

const root = (account: string) => (`arn:aws:iam::${account}:root`);

describe('CrossAccountRole trust policy', () => {
  test('trusts the account root with sts:AssumeRole and no conditions by default, 1 hour sessions', () => {
    const { stack } = build();
    expect(trustStatements(stack)).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: root('111111111111') } }]);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', { MaxSessionDuration: 3600 });
  });

  test('a third party must present the ExternalId', () => {
    const { stack, role } = build({ trustedAccounts: [TrustedAccount.thirdParty('333333333333', UUID)] });
    expect(trustStatements(stack)).toEqual([{
      Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: root('333333333333') },
      Condition: { StringEquals: { 'sts:ExternalId': UUID } },
    }]);
    expect(role.externalIds).toEqual([UUID]);
  });

  test('an organization trust names any principal with aws:PrincipalOrgID', () => {
    const { stack } = build({ trustedAccounts: [TrustedAccount.organization('o-a1b2c3d4e5')] });
    expect(trustStatements(stack)).toEqual([{
      Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: '*' },
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
    }]);
  });

  test('MFA with a maximum age adds both conditions to every statement', () => {
    const { stack, role } = build({
      trustedAccounts: [TrustedAccount.account('111111111111'), TrustedAccount.account('444444444444', { externalId: UUID })],
      maxMfaAge: Duration.minutes(30),
    });
    const statements = trustStatements(stack);
    expect(statements).toHaveLength(2);
    for (const statement of statements) {
      expect(statement.Condition).toMatchObject({ Bool: { 'aws:MultiFactorAuthPresent': 'true' }, NumericLessThan: { 'aws:MultiFactorAuthAge': 1800 } });
    }
    expect(statements[1].Condition.StringEquals).toEqual({ 'sts:ExternalId': UUID });
    expect(role.mfaRequired).toBe(true);
  });

  test('requireMfa alone adds only aws:MultiFactorAuthPresent', () => {
    const { stack } = build({ requireMfa: true });
    expect(trustStatements(stack)[0].Condition).toEqual({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } });
  });

  test('requireSourceIdentity requires a source identity to assume, and allows setting one', () => {
    const { stack } = build({ requireSourceIdentity: true, trustedAccounts: [TrustedAccount.thirdParty('333333333333', UUID)] });
    expect(trustStatements(stack)).toEqual([
      {
        Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: root('333333333333') },
        Condition: { StringEquals: { 'sts:ExternalId': UUID }, Null: { 'sts:SourceIdentity': 'false' } },
      },
      // sts:ExternalId is not in the context of sts:SetSourceIdentity: a condition on it would always fail
      { Action: 'sts:SetSourceIdentity', Effect: 'Allow', Principal: { AWS: root('333333333333') }, Condition: { Null: { 'sts:SourceIdentity': 'false' } } },
    ]);
  });

  test('sourceIdentityPattern ties the source identity to a pattern (here the caller\'s user name) in both statements, and implies requireSourceIdentity', () => {
    const { stack } = build({ sourceIdentityPattern: '${aws:username}', trustedAccounts: [TrustedAccount.account('111111111111')] });
    const tied = { StringLike: { 'sts:SourceIdentity': '${aws:username}' } };
    // the same conditions on both, so the recommended flags merge them into one statement
    expect(trustStatements(stack)).toEqual([
      { Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'], Effect: 'Allow', Principal: { AWS: root('111111111111') }, Condition: tied },
    ]);
  });

  test('fails when sourceIdentityPattern is set but requireSourceIdentity is false', () => {
    expect(() => build({ sourceIdentityPattern: '*@example.com', requireSourceIdentity: false })).toThrow(
      'CrossAccountRole: sourceIdentityPattern ("*@example.com") needs a source identity, but requireSourceIdentity is false; remove sourceIdentityPattern or set requireSourceIdentity: true');
  });

  test.each([['alice smith'], ['a/b'], ['x'.repeat(65)], ['${aws:username'], ['alice#1']])('fails when sourceIdentityPattern is "%s"', (pattern) => {
    expect(() => build({ sourceIdentityPattern: pattern })).toThrow(
      `CrossAccountRole: sourceIdentityPattern must be up to 64 letters, digits and +=,.@-_ (source identities as STS accepts them), with * and ? wildcards and policy variables such as \${aws:username}, got "${pattern}"`);
  });

  test.each([['${aws:username}'], ['*@example.com'], ['svc-?-deploy'], ['${saml:sub}']])('accepts sourceIdentityPattern "%s"', (pattern) => {
    expect(() => build({ sourceIdentityPattern: pattern })).not.toThrow();
  });

  test('session tag keys get their own sts:TagSession statement limited by aws:TagKeys', () => {
    const { stack } = build({ sessionTagKeys: ['team', 'cost-center'], requireMfa: true, trustedAccounts: [TrustedAccount.account('111111111111', { externalId: UUID })] });
    const statements = trustStatements(stack);
    expect(statements).toHaveLength(2);
    expect(statements[1]).toEqual({
      Action: 'sts:TagSession', Effect: 'Allow', Principal: { AWS: root('111111111111') },
      Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'cost-center'] } },
    });
  });

  test('the extra statements of an organization trust keep aws:PrincipalOrgID, so they never name any principal unconditionally', () => {
    const { stack } = build({ sessionTagKeys: ['team'], requireSourceIdentity: true, trustedAccounts: [TrustedAccount.organization('o-a1b2c3d4e5')] });
    const statements = trustStatements(stack);
    // the recommended flags merge statements with equal conditions; without them there are three
    expect(statements.flatMap((st) => st.Action)).toEqual(['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession']);
    for (const statement of statements) {
      expect(statement.Condition.StringEquals).toEqual({ 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' });
    }
  });

  test('a role of another stack is trusted by its ARN', () => {
    const { prod, developer } = accounts();
    new CrossAccountRole(prod, 'Cross', { trustedAccounts: [TrustedAccount.roles([developer])] });
    expect(trustStatements(prod)[0].Principal).toEqual({ AWS: 'arn:aws:iam::111111111111:role/developer' });
  });

  test('sets the session length, boundary, managed policies, name and description', () => {
    const app = testApp();
    const stack = new Stack(app, 'Prod', { env: PROD });
    const boundary = new iam.ManagedPolicy(stack, 'Boundary', { statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })] });
    const policy = new iam.ManagedPolicy(stack, 'Policy', { statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })] });
    new CrossAccountRole(stack, 'Cross', {
      trustedAccounts: [TrustedAccount.account('111111111111')],
      roleName: 'auditor', description: 'auditors', maxSessionDuration: Duration.hours(12),
      permissionsBoundary: boundary, managedPolicies: [policy],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'auditor', Description: 'auditors', MaxSessionDuration: 43200,
      PermissionsBoundary: { Ref: Match.stringLikeRegexp('^Boundary') },
      ManagedPolicyArns: [{ Ref: Match.stringLikeRegexp('^Policy') }],
    });
  });

  test('the role is the main child and the grant principal', () => {
    const { role } = build();
    expect(role.role.node.id).toBe('Resource');
    expect(role.grantPrincipal).toBe(role.role);
    expect(role.roleArn).toBe(role.role.roleArn);
  });

  test('gets a generated physical name only when another account refers to it', () => {
    const { stack } = build();
    expect(Template.fromStack(stack).findResources('AWS::IAM::Role', { Properties: { RoleName: Match.anyValue() } })).toEqual({});

    const app = testApp();
    const dev = new Stack(app, 'Dev', { env: { account: '111111111111', region: 'us-east-1' } });
    const prod = new Stack(app, 'Prod', { env: PROD });
    const cross = new CrossAccountRole(prod, 'Cross', { trustedAccounts: [TrustedAccount.account('111111111111')] });
    cross.grantAssume(new iam.Role(dev, 'Developer', { assumedBy: new iam.AccountRootPrincipal(), roleName: PhysicalName.GENERATE_IF_NEEDED }));
    Template.fromStack(prod).hasResourceProperties('AWS::IAM::Role', { RoleName: Match.stringLikeRegexp('^prod') });
  });
});

describe('CrossAccountRole validation', () => {
  // roleName and description are checked by iam.Role itself, with these messages
  test('fails when the role name is longer than 64 characters', () => {
    expect(() => build({ roleName: 'r'.repeat(65) })).toThrow(/Invalid roleName/);
  });

  test('fails when the description is longer than 1000 characters', () => {
    expect(() => build({ description: 'd'.repeat(1001) })).toThrow('Role description must be no longer than 1000 characters.');
  });

  test('fails when no account is trusted', () => {
    expect(() => build({ trustedAccounts: [] })).toThrow(
      "CrossAccountRole: trustedAccounts must name at least one trusted account, got an empty list; pass e.g. [TrustedAccount.account('111111111111')]");
  });

  test('fails when the maximum session is under 1 hour', () => {
    expect(() => build({ maxSessionDuration: Duration.minutes(30) })).toThrow(
      'CrossAccountRole: maxSessionDuration must be between 1 and 12 hours (the limits of IAM), got 30 minutes');
  });

  test('fails when the maximum session is over 12 hours', () => {
    expect(() => build({ maxSessionDuration: Duration.hours(13) })).toThrow(
      'CrossAccountRole: maxSessionDuration must be between 1 and 12 hours (the limits of IAM), got 13 hours');
  });

  test('fails when maxMfaAge is set but requireMfa is false', () => {
    expect(() => build({ requireMfa: false, maxMfaAge: Duration.hours(1) })).toThrow(
      'CrossAccountRole: maxMfaAge (1 hour) needs MFA, but requireMfa is false; remove maxMfaAge or set requireMfa: true');
  });

  test('fails when maxMfaAge is under 1 minute', () => {
    expect(() => build({ maxMfaAge: Duration.seconds(30) })).toThrow(
      'CrossAccountRole: maxMfaAge must be between 1 minute and 36 hours (the longest MFA session sts:GetSessionToken issues), got 30 seconds');
  });

  test('fails when maxMfaAge is over 36 hours', () => {
    expect(() => build({ maxMfaAge: Duration.hours(48) })).toThrow(
      'CrossAccountRole: maxMfaAge must be between 1 minute and 36 hours (the longest MFA session sts:GetSessionToken issues), got 2 days');
  });

  test('fails when a session tag key has invalid characters', () => {
    expect(() => build({ sessionTagKeys: ['team#1'] })).toThrow(
      'CrossAccountRole: session tag key "team#1" is not valid; keys are 1 to 128 letters, digits, spaces and _.:/=+-@');
  });

  test('fails when a session tag key is empty', () => {
    expect(() => build({ sessionTagKeys: [''] })).toThrow('CrossAccountRole: session tag key "" is not valid; keys are 1 to 128 letters, digits, spaces and _.:/=+-@');
  });

  test('fails when a session tag key uses the aws: prefix', () => {
    expect(() => build({ sessionTagKeys: ['aws:team'] })).toThrow('CrossAccountRole: session tag key "aws:team" uses the reserved prefix "aws:"; choose another key');
  });

  test('fails when a session tag key is listed twice in different case', () => {
    expect(() => build({ sessionTagKeys: ['Team', 'team'] })).toThrow(
      'CrossAccountRole: sessionTagKeys lists "team" twice (keys are case-insensitive); list each key once');
  });

  test('fails when more than 50 session tag keys are listed', () => {
    expect(() => build({ sessionTagKeys: Array.from({ length: 51 }, (_, i) => `k${i}`) })).toThrow(
      'CrossAccountRole: sessionTagKeys may list at most 50 keys (the session-tag limit of STS), got 51');
  });
});

describe('CrossAccountRole warnings', () => {
  const GUESSABLE = 'cdk-security-patterns:identity:guessable-external-id';

  test.each([
    ['short', 'abc123', 'it is only 6 characters long'],
    ['containing the account id', 'ext-333333333333-prod', 'it contains the trusted account id'],
    ['made of few characters', 'ab12ab12ab12ab12ab12', 'it repeats a handful of characters'],
    ['with a run of one character', 'x0000-7a8b9c-d1e2f3', 'it repeats the same character four times in a row'],
    ['made of words', 'my-company-external-id', 'it has no digits and reads like words or a name'],
    ['made of words and a number', 'prod-external-id-2024', 'it is made of words and numbers'],
    ['a name and a customer number', 'acme_customer.000731', 'it is made of words and numbers'],
  ])('warns when the ExternalId is %s', (_name, externalId, reason) => {
    const { stack } = build({ trustedAccounts: [TrustedAccount.thirdParty('333333333333', externalId)] });
    Annotations.fromStack(stack).hasWarning('/Prod/Cross', Match.stringLikeRegexp(
      `The ExternalId for third party 333333333333 looks guessable: ${reason}.*Use a random value such as a UUID, unique per trusted party. \\[ack: ${GUESSABLE}\\]`));
  });

  test('the guessable-ExternalId warning can be acknowledged by its id, e.g. when a vendor dictates the value', () => {
    const { stack } = build({ trustedAccounts: [TrustedAccount.thirdParty('333333333333', 'acme')] });
    Annotations.fromStack(stack).hasWarning('/Prod/Cross', Match.stringLikeRegexp('looks guessable'));
    const acknowledged = build({ trustedAccounts: [TrustedAccount.thirdParty('333333333333', 'acme')] });
    CdkAnnotations.of(acknowledged.role).acknowledgeWarning(GUESSABLE, 'the vendor issues this ExternalId');
    Annotations.fromStack(acknowledged.stack).hasNoWarning('*', Match.anyValue());
  });

  test.each([
    ['a UUID', UUID],
    ['a UUID whose groups happen to be all digits or all letters', '12345678-abcd-4123-8123-0a1b2c3d4e5f'],
    ['random hex', '9f86d081884c7d659a2feaa0c55ad015'],
    ['random base64url', 'Zq3_kP8w-Lr2Tn6Yb9Xc4Vd1'],
  ])('does not warn about %s', (_name, externalId) => {
    const { stack } = build({ trustedAccounts: [TrustedAccount.thirdParty('333333333333', externalId)] });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('warns that role chaining caps sessions at 1 hour when trusted roles get a longer maximum', () => {
    const { stack } = build({
      trustedAccounts: [TrustedAccount.principalArns(['arn:aws:iam::111111111111:role/ci'])],
      maxSessionDuration: Duration.hours(4),
    });
    Annotations.fromStack(stack).hasWarning('/Prod/Cross', Match.stringLikeRegexp(
      'maxSessionDuration is 4 hours, but principals arn:aws:iam::111111111111:role/ci are roles: sessions from role chaining last at most 1 hour.*'));
  });

  test('warns when MFA is required from a third party', () => {
    const { stack } = build({ trustedAccounts: [TrustedAccount.thirdParty('333333333333', UUID)], requireMfa: true });
    Annotations.fromStack(stack).hasWarning('/Prod/Cross', Match.stringLikeRegexp(
      'MFA is required, but third party 333333333333 is a third party whose service usually cannot present MFA.*'));
  });
});

describe('CrossAccountRole.grantAssume', () => {
  function twoAccounts(trusted: TrustedAccount[], props: Partial<CrossAccountRoleProps> = {}) {
    const { dev, prod, developer } = accounts();
    const cross = new CrossAccountRole(prod, 'Cross', { trustedAccounts: trusted, roleName: 'reader', ...props });
    return { dev, prod, developer, cross };
  }

  test('adds sts:AssumeRole on the role to the grantee in the other account', () => {
    const { dev, developer, cross } = twoAccounts([TrustedAccount.account('111111111111')]);
    cross.grantAssume(developer);
    Template.fromStack(dev).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{
        Action: 'sts:AssumeRole', Effect: 'Allow',
        Resource: 'arn:aws:iam::222222222222:role/reader',
      }] },
      Roles: [{ Ref: Match.stringLikeRegexp('^Developer') }],
    });
  });

  test('also grants sts:SetSourceIdentity and sts:TagSession when the role expects them', () => {
    const { dev, developer, cross } = twoAccounts([TrustedAccount.account('111111111111')], { requireSourceIdentity: true, sessionTagKeys: ['team'] });
    cross.grantAssume(developer);
    Template.fromStack(dev).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'] })] },
    });
  });

  test('grants a principal of an organization trust without an account check', () => {
    const { dev, developer, cross } = twoAccounts([TrustedAccount.organization('o-a1b2c3d4e5')]);
    cross.grantAssume(developer);
    Template.fromStack(dev).resourceCountIs('AWS::IAM::Policy', 1);
  });

  test('grants a role that a roles trust names', () => {
    const { dev, prod, developer } = accounts();
    const cross = new CrossAccountRole(prod, 'Cross', { trustedAccounts: [TrustedAccount.roles([developer])], roleName: 'reader' });
    cross.grantAssume(developer);
    Template.fromStack(dev).resourceCountIs('AWS::IAM::Policy', 1);
  });

  test('fails when the grantee is not one of the roles a roles trust names', () => {
    const { dev, prod, developer } = accounts();
    const intern = new iam.Role(dev, 'Intern', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'intern' });
    const cross = new CrossAccountRole(prod, 'Cross', { trustedAccounts: [TrustedAccount.roles([developer])], roleName: 'reader' });
    expect(() => cross.grantAssume(intern)).toThrow(
      'CrossAccountRole.grantAssume: Prod/Cross trusts only the roles Dev/Developer, so a grant to Dev/Intern would not let it assume the role; grant one of those roles, or trust its account with TrustedAccount.account');
  });

  test('grants a principal of any account when the trusted account is only known at deploy time', () => {
    const { dev, prod, developer } = accounts();
    const trusted = new CfnParameter(prod, 'TrustedAccountId').valueAsString;
    const cross = new CrossAccountRole(prod, 'Cross', { trustedAccounts: [TrustedAccount.account(trusted)], roleName: 'reader' });
    cross.grantAssume(developer);
    Template.fromStack(dev).resourceCountIs('AWS::IAM::Policy', 1);
  });

  test('fails when the grantee is in an account the role does not trust', () => {
    const { developer, cross } = twoAccounts([TrustedAccount.account('333333333333')]);
    expect(() => cross.grantAssume(developer)).toThrow(
      'CrossAccountRole.grantAssume: the grantee is in account 111111111111, which Prod/Cross does not trust (it trusts 333333333333); add a TrustedAccount for 111111111111 or grant a principal of a trusted account');
  });
});

describe('CrossAccountRole.revokeSessions', () => {
  function revokePolicy(stack: Stack): any {
    const role = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0];
    return role.Properties.Policies;
  }

  test('adds the AWSRevokeOlderSessions deny for sessions issued before the given time', () => {
    const { stack, role } = build();
    role.revokeSessions(new Date('2026-03-01T12:00:00Z'));
    expect(revokePolicy(stack)).toEqual([{
      PolicyName: 'AWSRevokeOlderSessions',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-03-01T12:00:00Z' } } }],
      },
    }]);
  });

  test('rounds a cut-off with milliseconds up to the next second, so no session of that second survives', () => {
    const { stack, role } = build();
    role.revokeSessions(new Date('2026-03-01T12:00:00.001Z'));
    expect(revokePolicy(stack)[0].PolicyDocument.Statement[0].Condition.DateLessThan['aws:TokenIssueTime']).toBe('2026-03-01T12:00:01Z');
  });

  test('a second call moves the cut-off instead of adding a policy', () => {
    const { stack, role } = build();
    role.revokeSessions(new Date('2026-03-01T12:00:00Z'));
    role.revokeSessions(new Date('2026-04-01T08:30:00Z'));
    const policies = revokePolicy(stack);
    expect(policies).toHaveLength(1);
    expect(policies[0].PolicyDocument.Statement[0].Condition.DateLessThan['aws:TokenIssueTime']).toBe('2026-04-01T08:30:00Z');
  });

  test('defaults to the time of synthesis', () => {
    const { stack, role } = build();
    const before = Date.now();
    role.revokeSessions();
    const cutOff = Date.parse(revokePolicy(stack)[0].PolicyDocument.Statement[0].Condition.DateLessThan['aws:TokenIssueTime']);
    expect(cutOff).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(cutOff).toBeLessThanOrEqual(Date.now() + 1000);
  });

  test('warns that the default cut-off moves with every synthesis', () => {
    const { stack, role } = build();
    role.revokeSessions();
    Annotations.fromStack(stack).hasWarning('/Prod/Cross', Match.stringLikeRegexp(
      'revokeSessions\\(\\) without a time uses the time of synthesis, so every deployment of this code revokes all sessions again.*\\[ack: cdk-security-patterns:identity:revoke-sessions-now\\]'));
  });

  test('does not warn with a fixed cut-off', () => {
    const { stack, role } = build();
    role.revokeSessions(new Date('2026-03-01T12:00:00Z'));
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('acknowledges the inline-policy rules with a reason', () => {
    const { stack, role } = build();
    role.revokeSessions(new Date('2026-03-01T12:00:00Z'));
    const metadata = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0].Metadata;
    expect(metadata.cdk_nag.rules_to_suppress.map((r: any) => r.id)).toEqual([
      'NIST.800.53.R5-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy']);
  });

  test('without revokeSessions the role has no inline policy', () => {
    const { stack } = build();
    expect(revokePolicy(stack)).toBeUndefined();
  });

  test('fails when the cut-off is not a valid date', () => {
    const { role } = build();
    expect(() => role.revokeSessions(new Date('yesterday'))).toThrow('CrossAccountRole.revokeSessions: issuedBefore must be a valid date, got Invalid Date');
  });
});
