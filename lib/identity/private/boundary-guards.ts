import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/*
 * The escalation guards of `DeveloperBoundary`, as Deny statements. Every Deny stays in force whatever
 * the boundary's own Allow statements or the identity policy say. The statements are packed (one
 * NotResource list per scope) because a managed policy holds at most 6,144 characters, and the
 * caller's ceiling shares that budget.
 */

/** IAM actions that create a role or user, or change what one may do: only with this boundary. */
export const CHANGE_ACTIONS = [
  'iam:CreateRole', 'iam:CreateUser',
  'iam:PutRolePermissionsBoundary', 'iam:PutUserPermissionsBoundary',
  'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy',
  'iam:AttachUserPolicy', 'iam:DetachUserPolicy', 'iam:PutUserPolicy', 'iam:DeleteUserPolicy',
];

/**
 * Actions that hand out or re-activate a user's credentials (access keys, console passwords, service-specific
 * credentials such as CodeCommit or Bedrock API keys, SSH keys, signing certificates); on a user without
 * this boundary they would escape it.
 */
export const USER_CREDENTIAL_ACTIONS = [
  'iam:CreateAccessKey', 'iam:UpdateAccessKey', 'iam:CreateLoginProfile', 'iam:UpdateLoginProfile',
  'iam:CreateServiceSpecificCredential', 'iam:ResetServiceSpecificCredential', 'iam:UpdateServiceSpecificCredential',
  'iam:UploadSSHPublicKey', 'iam:UpdateSSHPublicKey', 'iam:UploadSigningCertificate', 'iam:UpdateSigningCertificate',
];

/** Role actions IAM cannot condition on the role's boundary; the delegated path confines them. */
export const ROLE_PATH_ACTIONS = ['iam:CreateRole', 'iam:PassRole', 'iam:UpdateAssumeRolePolicy'];

/**
 * IAM actions that widen what an existing principal may do without touching a role's or user's own
 * policies: a new default version of a managed policy attached to an administrator, a group's policies
 * and members (groups carry no boundary), and tags that tag-based (ABAC) policies read. With a
 * delegated path they stay allowed on the policies, groups, roles and users under it.
 */
export const PATH_SCOPED_ACTIONS = [
  'iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicyVersion',
  'iam:AttachGroupPolicy', 'iam:DetachGroupPolicy', 'iam:PutGroupPolicy', 'iam:DeleteGroupPolicy',
  'iam:AddUserToGroup', 'iam:RemoveUserFromGroup', 'iam:UpdateGroup',
  'iam:TagRole', 'iam:UntagRole', 'iam:TagUser', 'iam:UntagUser', 'iam:UpdateUser',
];

/**
 * Identity providers that roles trust: replacing a SAML provider's metadata or an OIDC provider's
 * thumbprints or audiences lets the caller forge sign-ins to every role that trusts the provider.
 */
export const IDENTITY_PROVIDER_ACTIONS = [
  'iam:CreateSAMLProvider', 'iam:UpdateSAMLProvider', 'iam:DeleteSAMLProvider',
  'iam:CreateOpenIDConnectProvider', 'iam:UpdateOpenIDConnectProviderThumbprint',
  'iam:AddClientIDToOpenIDConnectProvider', 'iam:DeleteOpenIDConnectProvider',
];

/**
 * Actions that run new code (or a shell) as the role an existing compute resource already has, with
 * no `iam:PassRole`: IAM cannot see that role, so they are confined to resources named with the
 * delegated prefix. Each entry: the actions, and the resource ARN patterns (service, resource with the
 * prefix) that keep them allowed.
 */
interface RunCodeRoute { readonly actions: string[]; readonly resources: [string, string][] }
export const RUN_CODE_ROUTES: RunCodeRoute[] = [
  { actions: ['lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration'], resources: [['lambda', 'function:{p}*']] },
  // ECS: a task of an existing task definition with container overrides, or a shell in a running task
  { actions: ['ecs:RunTask', 'ecs:StartTask', 'ecs:ExecuteCommand'], resources: [['ecs', 'task-definition/{p}*'], ['ecs', 'cluster/{p}*'], ['ecs', 'task/{p}*']] },
  // CodeBuild: a build of an existing project with a buildspec override, or a changed buildspec
  { actions: ['codebuild:StartBuild', 'codebuild:StartBuildBatch', 'codebuild:UpdateProject'], resources: [['codebuild', 'project/{p}*']] },
  { actions: ['glue:UpdateDevEndpoint', 'glue:UpdateJob'], resources: [['glue', 'devEndpoint/{p}*'], ['glue', 'job/{p}*']] },
  // SageMaker lower-cases notebook names in their ARNs
  { actions: ['sagemaker:CreatePresignedNotebookInstanceUrl'], resources: [['sagemaker', 'notebook-instance/{lp}*']] },
  { actions: ['states:UpdateStateMachine'], resources: [['states', 'stateMachine:{p}*']] },
  // CloudFormation reuses the service role a stack already has (e.g. CDK's AdministratorAccess execution role)
  { actions: ['cloudformation:UpdateStack', 'cloudformation:CreateChangeSet'], resources: [['cloudformation', 'stack/{p}*']] },
  // Batch authorizes the job definition and the queue: any queue, only delegated definitions
  { actions: ['batch:SubmitJob'], resources: [['batch', 'job-definition/{p}*'], ['batch', 'job-queue/*'], ['batch', 'job/*']] },
];

/**
 * Ways to run code on an EC2 instance (or a hybrid managed instance) as its role, which instance ARNs
 * (ids, not names) cannot scope, and Data Pipeline definitions (pipeline ids too): always denied.
 */
export const UNSCOPABLE_RUN_CODE_ACTIONS = [
  'ssm:SendCommand', 'ssm:StartSession', 'ec2-instance-connect:SendSSHPublicKey', 'ec2-instance-connect:SendSerialConsoleSSHPublicKey',
  'datapipeline:PutPipelineDefinition',
];

export interface GuardOptions {
  readonly boundaryArn: string;
  readonly rolePath?: string;
  readonly assumableRoleArns: string[];
  readonly resourcePrefix?: string;
}

/** The Deny statements that stop escalation out of the boundary. */
export function guardStatements(stack: Stack, options: GuardOptions): iam.PolicyStatement[] {
  const iamArn = (resource: string) => stack.formatArn({ service: 'iam', region: '', resource, resourceName: `${options.rolePath!.replace(/^\//, '')}*` });
  const statements = [
    new iam.PolicyStatement({
      sid: 'DenyCreateOrChangeWithoutThisBoundary',
      effect: iam.Effect.DENY,
      actions: CHANGE_ACTIONS,
      resources: ['*'],
      conditions: { StringNotEquals: { 'iam:PermissionsBoundary': options.boundaryArn } },
    }),
    new iam.PolicyStatement({
      sid: 'DenyBoundaryRemoval',
      effect: iam.Effect.DENY,
      actions: ['iam:DeleteRolePermissionsBoundary', 'iam:DeleteUserPermissionsBoundary'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'DenyBoundaryEdit',
      effect: iam.Effect.DENY,
      actions: ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'],
      resources: [options.boundaryArn],
    }),
    // IAM cannot tell whether the user has this boundary for these actions, and credentials of an
    // existing admin user would escape it: user credentials stay with the account owner. Identity
    // providers are trusted account-wide, so they stay with the account owner too.
    new iam.PolicyStatement({
      sid: 'DenyUnscopableEscalation',
      effect: iam.Effect.DENY,
      actions: [...USER_CREDENTIAL_ACTIONS, ...IDENTITY_PROVIDER_ACTIONS, ...UNSCOPABLE_RUN_CODE_ACTIONS],
      resources: ['*'],
    }),
  ];

  if (options.rolePath !== undefined) {
    statements.push(new iam.PolicyStatement({
      sid: 'DenyIamOutsideDelegatedPath',
      effect: iam.Effect.DENY,
      // CHANGE_ACTIONS too: a role or user outside the path is not the developers' even when it carries
      // this boundary (e.g. a role an administrator capped, whose AWSRevokeOlderSessions policy must stay)
      actions: [...new Set([...ROLE_PATH_ACTIONS, ...CHANGE_ACTIONS, ...PATH_SCOPED_ACTIONS])],
      notResources: ['role', 'user', 'policy', 'group'].map(iamArn),
    }));
  } else {
    statements.push(new iam.PolicyStatement({
      sid: 'DenyIamChangesWithoutDelegatedPath',
      effect: iam.Effect.DENY,
      actions: PATH_SCOPED_ACTIONS,
      resources: ['*'],
    }));
  }

  // sts:AssumeRole into a role outside the path (CDK's bootstrap deploy role, say) would leave the boundary behind.
  const assumable = [...(options.rolePath !== undefined ? [iamArn('role')] : []), ...options.assumableRoleArns];
  statements.push(new iam.PolicyStatement({
    sid: 'DenyAssumeRoleOutsideDelegatedPath',
    effect: iam.Effect.DENY,
    actions: ['sts:AssumeRole'],
    ...(assumable.length > 0 ? { notResources: assumable } : { resources: ['*'] }),
  }));

  // Instances carry their role in an instance profile, whose path IAM does see (ec2:InstanceProfile).
  statements.push(new iam.PolicyStatement({
    sid: 'DenyInstanceUserDataOutsideDelegatedPath',
    effect: iam.Effect.DENY,
    actions: ['ec2:ModifyInstanceAttribute'],
    resources: ['*'],
    conditions: {
      ...(options.rolePath !== undefined ? { ArnNotLike: { 'ec2:InstanceProfile': iamArn('instance-profile') } } : {}),
      Null: { 'ec2:InstanceProfile': 'false' },
    },
  }));

  const prefix = options.resourcePrefix;
  const arn = ([service, pattern]: [string, string]) => stack.formatArn({
    service, region: '*', account: '*', resource: pattern.replace('{p}', prefix ?? '').replace('{lp}', (prefix ?? '').toLowerCase()),
  });
  statements.push(new iam.PolicyStatement({
    sid: 'DenyRunCodeOutsideDelegatedResources',
    effect: iam.Effect.DENY,
    actions: RUN_CODE_ROUTES.flatMap((r) => r.actions),
    ...(prefix !== undefined ? { notResources: RUN_CODE_ROUTES.flatMap((r) => r.resources.map(arn)) } : { resources: ['*'] }),
  }));
  return statements;
}
