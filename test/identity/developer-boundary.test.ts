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
const PATH_SCOPED = [
  'iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicyVersion',
  'iam:AttachGroupPolicy', 'iam:DetachGroupPolicy', 'iam:PutGroupPolicy', 'iam:DeleteGroupPolicy',
  'iam:AddUserToGroup', 'iam:RemoveUserFromGroup', 'iam:UpdateGroup',
  'iam:TagRole', 'iam:UntagRole', 'iam:TagUser', 'iam:UntagUser', 'iam:UpdateUser',
];
const RUN_CODE = [
  'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'ecs:RunTask', 'ecs:StartTask', 'ecs:ExecuteCommand',
  'codebuild:StartBuild', 'codebuild:StartBuildBatch', 'codebuild:UpdateProject', 'glue:UpdateDevEndpoint', 'glue:UpdateJob',
  'sagemaker:CreatePresignedNotebookInstanceUrl', 'states:UpdateStateMachine', 'cloudformation:UpdateStack', 'cloudformation:CreateChangeSet',
  'batch:SubmitJob',
];
const sorted = (st: any) => (Array.isArray(st.Action) ? { ...st, Action: [...st.Action].sort() } : st);

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
        Sid: 'DenyUnscopableEscalation', Effect: 'Deny', Resource: '*',
        Action: [
          'iam:CreateAccessKey', 'iam:UpdateAccessKey', 'iam:CreateLoginProfile', 'iam:UpdateLoginProfile',
          'iam:CreateServiceSpecificCredential', 'iam:ResetServiceSpecificCredential', 'iam:UpdateServiceSpecificCredential',
          'iam:UploadSSHPublicKey', 'iam:UpdateSSHPublicKey', 'iam:UploadSigningCertificate', 'iam:UpdateSigningCertificate',
          'iam:CreateSAMLProvider', 'iam:UpdateSAMLProvider', 'iam:DeleteSAMLProvider', 'iam:CreateOpenIDConnectProvider',
          'iam:UpdateOpenIDConnectProviderThumbprint', 'iam:AddClientIDToOpenIDConnectProvider', 'iam:DeleteOpenIDConnectProvider',
          'ssm:SendCommand', 'ssm:StartSession', 'ec2-instance-connect:SendSSHPublicKey', 'ec2-instance-connect:SendSerialConsoleSSHPublicKey',
          'datapipeline:PutPipelineDefinition',
        ],
      },
      { Sid: 'DenyIamChangesWithoutDelegatedPath', Effect: 'Deny', Resource: '*', Action: PATH_SCOPED },
      { Sid: 'DenyAssumeRoleOutsideDelegatedPath', Effect: 'Deny', Resource: '*', Action: 'sts:AssumeRole' },
      {
        Sid: 'DenyInstanceUserDataOutsideDelegatedPath', Effect: 'Deny', Resource: '*', Action: 'ec2:ModifyInstanceAttribute',
        Condition: { Null: { 'ec2:InstanceProfile': 'false' } },
      },
      { Sid: 'DenyRunCodeOutsideDelegatedResources', Effect: 'Deny', Resource: '*', Action: RUN_CODE },
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

  test('delegatedRolePath confines creating and changing roles and users, policy-version, group and tag changes, assuming roles and instance user data to the path', () => {
    const { stack } = build({ managedPolicyName: 'team-boundary', delegatedRolePath: '/delegated/team-a/' });
    const statements = policy(stack).Properties.PolicyDocument.Statement.map(sorted);
    const inPath = (type: string) => `arn:aws:iam::222222222222:${type}/delegated/team-a/*`;
    expect(statements).toContainEqual(sorted({
      Sid: 'DenyIamOutsideDelegatedPath', Effect: 'Deny', Action: [
        'iam:CreateRole', 'iam:PassRole', 'iam:UpdateAssumeRolePolicy', 'iam:CreateUser', 'iam:PutRolePermissionsBoundary', 'iam:PutUserPermissionsBoundary',
        'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy',
        'iam:AttachUserPolicy', 'iam:DetachUserPolicy', 'iam:PutUserPolicy', 'iam:DeleteUserPolicy', ...PATH_SCOPED,
      ],
      NotResource: ['role', 'user', 'policy', 'group'].map(inPath),
    }));
    expect(statements).toContainEqual({ Sid: 'DenyAssumeRoleOutsideDelegatedPath', Effect: 'Deny', Action: 'sts:AssumeRole', NotResource: inPath('role') });
    expect(statements).toContainEqual({
      Sid: 'DenyInstanceUserDataOutsideDelegatedPath', Effect: 'Deny', Action: 'ec2:ModifyInstanceAttribute', Resource: '*',
      Condition: { ArnNotLike: { 'ec2:InstanceProfile': inPath('instance-profile') }, Null: { 'ec2:InstanceProfile': 'false' } },
    });
    expect(statements.map((st: any) => st.Sid)).not.toContain('DenyIamChangesWithoutDelegatedPath');
  });

  test('assumableRoles may be assumed besides the path, with or without one', () => {
    const stack = new Stack(testApp(), 'Prod', { env: ENV });
    const reader = iam.Role.fromRoleArn(stack, 'Reader', 'arn:aws:iam::333333333333:role/reports-reader');
    new DeveloperBoundary(stack, 'Boundary', { allowedStatements: [S3_READ], assumableRoles: [reader] });
    expect(policy(stack).Properties.PolicyDocument.Statement).toContainEqual({
      Sid: 'DenyAssumeRoleOutsideDelegatedPath', Effect: 'Deny', Action: 'sts:AssumeRole', NotResource: 'arn:aws:iam::333333333333:role/reports-reader',
    });
  });

  test('delegatedResourcePrefix keeps code and configuration changes of compute named with it (SageMaker notebooks in lower case)', () => {
    const { stack } = build({ delegatedResourcePrefix: 'Team-A-' });
    const statement = policy(stack).Properties.PolicyDocument.Statement.find((st: any) => st.Sid === 'DenyRunCodeOutsideDelegatedResources');
    expect(sorted(statement)).toEqual(sorted({
      Sid: 'DenyRunCodeOutsideDelegatedResources', Effect: 'Deny', Action: RUN_CODE,
      NotResource: [
        'arn:aws:lambda:*:*:function:Team-A-*', 'arn:aws:ecs:*:*:task-definition/Team-A-*', 'arn:aws:ecs:*:*:cluster/Team-A-*', 'arn:aws:ecs:*:*:task/Team-A-*',
        'arn:aws:codebuild:*:*:project/Team-A-*', 'arn:aws:glue:*:*:devEndpoint/Team-A-*', 'arn:aws:glue:*:*:job/Team-A-*',
        'arn:aws:sagemaker:*:*:notebook-instance/team-a-*', 'arn:aws:states:*:*:stateMachine:Team-A-*', 'arn:aws:cloudformation:*:*:stack/Team-A-*',
        'arn:aws:batch:*:*:job-definition/Team-A-*', 'arn:aws:batch:*:*:job-queue/*', 'arn:aws:batch:*:*:job/*',
      ],
    }));
  });

  test.each([
    ['deploy', 'arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-us-east-1'],
    ['cfn-exec', 'arn:aws:iam::222222222222:role/cdk-hnb659fds-cfn-exec-role-222222222222-us-east-1'],
    ['file-publishing', 'arn:aws:iam::222222222222:role/cdk-abc123-file-publishing-role-222222222222-eu-west-1'],
  ])('fails when assumableRoles lists CDK\'s bootstrap %s role', (kind, roleArn) => {
    const stack = new Stack(testApp(), 'Prod', { env: ENV });
    const role = iam.Role.fromRoleArn(stack, 'Bootstrap', roleArn);
    expect(() => new DeveloperBoundary(stack, 'Boundary', { allowedStatements: [S3_READ], assumableRoles: [role] })).toThrow(
      `DeveloperBoundary: assumableRoles lists CDK's bootstrap ${kind} role (${roleArn}), whose sessions escape the boundary (the deploy role passes the AdministratorAccess execution role, the publishing roles write the assets other deployments run); deploy delegated stacks with the developers' own credentials (CliCredentialsStackSynthesizer) instead`);
  });

  test('accepts CDK\'s read-only lookup role in assumableRoles', () => {
    const stack = new Stack(testApp(), 'Prod', { env: ENV });
    const lookup = iam.Role.fromRoleArn(stack, 'Lookup', 'arn:aws:iam::222222222222:role/cdk-hnb659fds-lookup-role-222222222222-us-east-1');
    expect(() => new DeveloperBoundary(stack, 'Boundary', { allowedStatements: [S3_READ], assumableRoles: [lookup] })).not.toThrow();
  });

  test.each([['team_a'], ['1team'], [''], ['team a'], ['t'.repeat(33)]])('fails when delegatedResourcePrefix is "%s"', (prefix) => {
    expect(() => build({ delegatedResourcePrefix: prefix })).toThrow(
      `DeveloperBoundary: delegatedResourcePrefix must start with a letter and hold 1 to 32 letters, digits and hyphens (characters every guarded service accepts in names, e.g. team-a-), got "${prefix}"`);
  });

  test('stays well under the managed-policy limit with every option and a modest ceiling', () => {
    const stack = new Stack(testApp(), 'Prod'); // env-agnostic: pseudo parameters count at their longest
    const boundary = new DeveloperBoundary(stack, 'Boundary', {
      allowedStatements: [new iam.PolicyStatement({ actions: ['iam:*', 'sts:AssumeRole', 'lambda:*', 's3:*', 'dynamodb:*'], resources: ['*'] })],
      delegatedRolePath: '/delegated/team-a/', delegatedResourcePrefix: 'team-a-',
      assumableRoles: [iam.Role.fromRoleArn(stack, 'Reader', 'arn:aws:iam::333333333333:role/reports-reader')],
    });
    expect(boundary.policySize).toBeLessThan(4500);
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('fails at synth when the ceiling pushes the policy over IAM\'s 6,144 characters', () => {
    const stack = new Stack(testApp(), 'Prod', { env: ENV });
    const buckets = Array.from({ length: 80 }, (_, i) => `arn:aws:s3:::team-a-reports-bucket-number-${i}/*`);
    const boundary = new DeveloperBoundary(stack, 'Boundary', { allowedStatements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: buckets })] });
    expect(boundary.policySize).toBeGreaterThan(6144);
    expect(() => Template.fromStack(stack)).toThrow(new RegExp(
      `DeveloperBoundary: the policy holds ${boundary.policySize} characters \\(IAM counts them without whitespace\\), over IAM's limit of 6144 for a managed policy; shorten allowedStatements`));
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

  test('warns when the ceiling allows changing compute code but no delegatedResourcePrefix is set, and not with one', () => {
    const lambdaAll = new iam.PolicyStatement({ actions: ['lambda:*', 'codebuild:StartBuild'], resources: ['*'] });
    Annotations.fromStack(build({ allowedStatements: [lambdaAll] }).stack).hasWarning('/Prod/Boundary', Match.exact(
      'The boundary allows lambda:UpdateFunctionCode, lambda:UpdateFunctionConfiguration, codebuild:StartBuild but sets no delegatedResourcePrefix, so they are denied on every resource '
      + '(IAM cannot see which role a function, task or project runs as). Set delegatedResourcePrefix to let developers change the resources named with it. [ack: cdk-security-patterns:identity:no-resource-prefix]'));
    Annotations.fromStack(build({ allowedStatements: [lambdaAll], delegatedResourcePrefix: 'team-a-' }).stack).hasNoWarning('*', Match.anyValue());
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
