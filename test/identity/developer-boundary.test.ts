import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DeveloperBoundary, DeveloperBoundaryProps } from '../../lib/identity';
import { testApp } from '../support/app';

const ENV = { account: '222222222222', region: 'us-east-1' };
const S3_READ = new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::reports/*'] });

function build(props: Partial<DeveloperBoundaryProps> = {}) {
  const stack = new Stack(testApp(), 'Prod', { env: ENV });
  const boundary = new DeveloperBoundary(stack, 'Boundary', { allowedStatements: [S3_READ], ...props });
  return { stack, boundary };
}

function policy(stack: Stack): any {
  return Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))[0];
}

const selfArn = (name: string) => (`arn:aws:iam::222222222222:policy/${name}`);

describe('DeveloperBoundary', () => {
  test('holds the allowed statements, then the escalation guards naming its own ARN', () => {
    const { stack } = build({ managedPolicyName: 'team-boundary' });
    const resource = policy(stack);
    expect(resource.Properties.ManagedPolicyName).toBe('team-boundary');
    // the recommended flags sort a statement's actions
    const sortActions = (statements: any[]) => statements.map((st) => (Array.isArray(st.Action) ? { ...st, Action: [...st.Action].sort() } : st));
    expect(sortActions(resource.Properties.PolicyDocument.Statement)).toEqual(sortActions([
      { Action: 's3:GetObject', Effect: 'Allow', Resource: 'arn:aws:s3:::reports/*' },
      {
        Sid: 'DenyCreateOrChangeWithoutThisBoundary', Effect: 'Deny', Resource: '*',
        Action: [
          'iam:CreateRole', 'iam:CreateUser', 'iam:PutRolePermissionsBoundary', 'iam:PutUserPermissionsBoundary',
          'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy',
          'iam:AttachUserPolicy', 'iam:DetachUserPolicy', 'iam:PutUserPolicy', 'iam:DeleteUserPolicy',
        ],
        Condition: { StringNotEquals: { 'iam:PermissionsBoundary': selfArn('team-boundary') } },
      },
      { Sid: 'DenyBoundaryRemoval', Effect: 'Deny', Resource: '*', Action: ['iam:DeleteRolePermissionsBoundary', 'iam:DeleteUserPermissionsBoundary'] },
      {
        Sid: 'DenyBoundaryEdit', Effect: 'Deny', Resource: selfArn('team-boundary'),
        Action: ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'],
      },
      {
        Sid: 'DenyUserCredentials', Effect: 'Deny', Resource: '*',
        Action: [
          'iam:CreateAccessKey', 'iam:UpdateAccessKey', 'iam:CreateLoginProfile', 'iam:UpdateLoginProfile',
          'iam:CreateServiceSpecificCredential', 'iam:ResetServiceSpecificCredential', 'iam:UpdateServiceSpecificCredential',
          'iam:UploadSSHPublicKey', 'iam:UpdateSSHPublicKey', 'iam:UploadSigningCertificate', 'iam:UpdateSigningCertificate',
        ],
      },
    ]));
  });

  test('without a name it gets one unique to its path, used in its own ARN', () => {
    const { stack, boundary } = build();
    const resource = policy(stack);
    expect(resource.Properties.ManagedPolicyName).toMatch(/^ProdBoundary[0-9A-F]{8}$/);
    expect(stack.resolve(boundary.boundaryArn)).toEqual(selfArn(resource.Properties.ManagedPolicyName));
  });

  test('applyTo sets the boundary on every role and user in the scope, including roles other constructs create', () => {
    const { stack, boundary } = build({ managedPolicyName: 'team-boundary' });
    const team = new Construct(stack, 'Team');
    new iam.Role(team, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    new iam.User(team, 'User');
    new lambda.Function(team, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;') });
    new iam.Role(stack, 'Outside', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    boundary.applyTo(team);
    const template = Template.fromStack(stack);
    const bounded = { PermissionsBoundary: { Ref: Match.stringLikeRegexp('^Boundary') } };
    expect(Object.keys(template.findResources('AWS::IAM::Role', { Properties: bounded })).sort()).toEqual([
      expect.stringMatching(/^TeamFnServiceRole/), expect.stringMatching(/^TeamRole/),
    ]);
    template.hasResourceProperties('AWS::IAM::User', bounded);
    expect(Object.keys(template.findResources('AWS::IAM::Role', { Properties: { PermissionsBoundary: Match.absent() } }))).toEqual([
      expect.stringMatching(/^Outside/),
    ]);
  });

  test('applyTo covers roles created after the call and leaves the raw CloudFormation role of CDK\'s custom resource provider alone', () => {
    const { stack, boundary } = build({ managedPolicyName: 'team-boundary' });
    boundary.applyTo(stack);
    // autoDeleteObjects brings a CustomResourceProvider whose role is a plain CfnResource, not an iam.Role
    new s3.Bucket(stack, 'Bucket', { autoDeleteObjects: true, removalPolicy: RemovalPolicy.DESTROY });
    new iam.Role(stack, 'Later', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const roles = Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Role')).sort(([a], [b]) => a.localeCompare(b));
    expect(roles.map(([id, role]) => [id, role.Properties.PermissionsBoundary])).toEqual([
      [expect.stringMatching(/^CustomS3AutoDeleteObjectsCustomResourceProviderRole/), undefined],
      [expect.stringMatching(/^Later/), { Ref: expect.stringMatching(/^Boundary/) }],
    ]);
  });

  test('acknowledges wildcard findings only when the allowed statements have wildcards', () => {
    const exact = new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::reports/latest.csv'] });
    const narrow = policy(build({ allowedStatements: [exact] }).stack).Metadata;
    expect(narrow?.cdk_nag).toBeUndefined();
    const wide = policy(build({ allowedStatements: [new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] })] }).stack).Metadata;
    expect(wide.cdk_nag.rules_to_suppress.map((r: any) => r.id)).toEqual([
      'AwsSolutions-IAM5', 'NIST.800.53.R5-IAMPolicyNoStatementsWithFullAccess', 'HIPAA.Security-IAMPolicyNoStatementsWithFullAccess', 'PCI.DSS.321-IAMPolicyNoStatementsWithFullAccess',
    ]);
    expect(wide.guard.SuppressedRules).toEqual(['iam_managed_policy_no_statements_with_full_access_check']);
  });

  test('delegatedRolePath denies creating, passing or re-trusting a role outside the path', () => {
    const { stack } = build({ managedPolicyName: 'team-boundary', delegatedRolePath: '/delegated/team-a/' });
    expect(policy(stack).Properties.PolicyDocument.Statement).toContainEqual({
      Sid: 'DenyRolesOutsideDelegatedPath', Effect: 'Deny', Action: ['iam:CreateRole', 'iam:PassRole', 'iam:UpdateAssumeRolePolicy'],
      NotResource: 'arn:aws:iam::222222222222:role/delegated/team-a/*',
    });
  });

  test.each([
    ['iam:PassRole', 'iam:PassRole', 'it'],
    ['iam:Pass*', 'iam:PassRole', 'it'],
    ['iam:UpdateAssumeRolePolicy', 'iam:UpdateAssumeRolePolicy', 'it'],
    ['IAM:*', 'iam:PassRole and iam:UpdateAssumeRolePolicy', 'them'],
  ])('warns when %s is allowed without a delegatedRolePath', (action, named, pronoun) => {
    const { stack } = build({ allowedStatements: [new iam.PolicyStatement({ actions: [action], resources: ['*'] })] });
    Annotations.fromStack(stack).hasWarning('/Prod/Boundary', Match.exact(
      `The boundary allows ${named} but sets no delegatedRolePath: developers can use ${pronoun} on any role of the account, including privileged ones without this boundary. Set delegatedRolePath. [ack: cdk-security-patterns:identity:any-role]`));
  });

  test('does not warn about iam:PassRole with a delegatedRolePath, or without iam:PassRole', () => {
    const passRole = new iam.PolicyStatement({ actions: ['iam:PassRole', 'iam:PutRolePolicy'], resources: ['*'] });
    Annotations.fromStack(build({ allowedStatements: [passRole], delegatedRolePath: '/delegated/' }).stack).hasNoWarning('*', Match.anyValue());
    Annotations.fromStack(build({ allowedStatements: [new iam.PolicyStatement({ actions: ['iam:PutRolePolicy'], resources: ['*'] })] }).stack).hasNoWarning('*', Match.anyValue());
  });

  test.each([['/'], ['delegated/'], ['/delegated'], ['/dele gated/']])('fails when delegatedRolePath is %s', (path) => {
    expect(() => build({ delegatedRolePath: path })).toThrow(
      `DeveloperBoundary: delegatedRolePath must be an IAM path below the root such as /delegated/ (starts and ends with /, up to 512 letters, digits and +=,.@-_), got "${path}"`);
  });

  test('fails when delegatedRolePath is longer than 512 characters', () => {
    const path = `/${'p'.repeat(511)}/`;
    expect(() => build({ delegatedRolePath: path })).toThrow(
      `DeveloperBoundary: delegatedRolePath must be an IAM path below the root such as /delegated/ (starts and ends with /, up to 512 letters, digits and +=,.@-_), got "${path}"`);
  });

  test('fails when the name is longer than 128 characters', () => {
    expect(() => build({ managedPolicyName: 'b'.repeat(129) })).toThrow(
      `DeveloperBoundary: managedPolicyName must be 1 to 128 letters, digits and +=,.@-_, got "${'b'.repeat(129)}"`);
  });

  test('fails when no statement is given', () => {
    expect(() => build({ allowedStatements: [] })).toThrow(
      'DeveloperBoundary: allowedStatements must hold at least one Allow statement (a boundary without one lets its roles do nothing), got 0 statement(s) and no Allow');
  });

  test('fails when every statement is a Deny', () => {
    const deny = new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['s3:DeleteObject'], resources: ['*'] });
    expect(() => build({ allowedStatements: [deny] })).toThrow(
      'DeveloperBoundary: allowedStatements must hold at least one Allow statement (a boundary without one lets its roles do nothing), got 1 statement(s) and no Allow');
  });

  test('fails when a statement allows every action on every resource', () => {
    const all = new iam.PolicyStatement({ actions: ['*'], resources: ['*'] });
    expect(() => build({ allowedStatements: [all] })).toThrow(
      'DeveloperBoundary: an allowed statement allows every action ("*") on every resource, so the boundary caps nothing; got {"Action":"*","Effect":"Allow","Resource":"*"}; list the services and resources developers need instead');
  });

  test('fails when the name has characters IAM rejects', () => {
    expect(() => build({ managedPolicyName: 'team boundary' })).toThrow(
      'DeveloperBoundary: managedPolicyName must be 1 to 128 letters, digits and +=,.@-_, got "team boundary"');
  });
});
