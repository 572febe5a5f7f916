import type { IConstruct } from 'constructs';

/** The answer of IAM's policy evaluation for one request. */
export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

/** An IAM policy document as plain JSON (`{ Version, Statement }`), already free of CloudFormation intrinsics or not. */
export type PolicyDocument = { readonly Version?: string; readonly Statement: unknown } & Record<string, unknown>;

/** A value of a request's condition key; converted to IAM's string form (`true` -> `'true'`, `5` -> `'5'`, Date -> ISO 8601). */
export type ContextValue = string | boolean | number | Date | ReadonlyArray<string | boolean | number | Date>;

/**
 * A condition-key map for a request. `null` or `undefined` removes a key the model would otherwise
 * set by default (for example `{ 'aws:SecureTransport': null }` to model a request where the key is absent).
 */
export type RequestContext = Readonly<Record<string, ContextValue | null | undefined>>;

/** A hand-written CloudFormation template with the environment it is deployed to. */
export interface TemplateInput {
  /** The stack name, used for `AWS::StackName`, generated physical names and error messages. */
  readonly stackName: string;
  /** The CloudFormation template (JSON object). */
  readonly template: Record<string, unknown>;
  /** @default the model's default account */
  readonly account?: string;
  /** @default the model's default region */
  readonly region?: string;
}

/** A service control policy (or resource control policy) given directly to the model. */
export interface OrgPolicyInput {
  /** Shown in explanations. @default `scp-<n>` / `rcp-<n>` */
  readonly name?: string;
  /** The policy document. */
  readonly document: PolicyDocument;
  /** The account ids it applies to. @default every account */
  readonly accounts?: readonly string[];
}

export interface AccessModelOptions {
  /** Account of stacks whose account is unresolved (env-agnostic). @default '111111111111' */
  readonly defaultAccount?: string;
  /** Region of stacks whose region is unresolved. @default 'us-east-1' */
  readonly defaultRegion?: string;
  /**
   * Service control policies, in addition to AWS::Organizations::Policy resources of type
   * SERVICE_CONTROL_POLICY found in the stacks. Each is evaluated next to an implicit
   * FullAWSAccess, as in an organization that uses deny-list SCPs.
   * @default none
   */
  readonly serviceControlPolicies?: ReadonlyArray<OrgPolicyInput | PolicyDocument>;
  /** Resource control policies, applied by the resource's account. @default none (plus those found in the stacks) */
  readonly resourceControlPolicies?: ReadonlyArray<OrgPolicyInput | PolicyDocument>;
  /**
   * Accounts of the OUs SCPs/RCPs of the stacks target, keyed by the OU's Name (or its id, e.g. 'ou-ab12-cd34ef56'
   * or a root id). A policy aimed at an OU listed here applies to those accounts and to the listed accounts of
   * its child OUs; aimed at a target not listed, it applies to every account.
   * @default {} (every OU or root target applies to every account)
   */
  readonly organizationUnits?: Readonly<Record<string, readonly string[]>>;
  /** Accounts SCPs and RCPs never apply to (the organization's management account). @default none */
  readonly managementAccount?: string;
  /**
   * Organization id set as `aws:PrincipalOrgID` / `aws:ResourceOrgID` for accounts in `organizationAccounts`.
   * @default no organization keys are set
   */
  readonly organizationId?: string;
  /** Accounts that belong to `organizationId`. @default every account of the model's stacks */
  readonly organizationAccounts?: readonly string[];
  /**
   * Documents of managed policies the stacks reference by ARN but do not contain
   * (customer managed policies of other stacks, AWS managed policies missing from the built-in table).
   * @default {}
   */
  readonly managedPolicies?: Readonly<Record<string, PolicyDocument>>;
  /**
   * Leave out AWS managed policies whose documents the model does not know (neither built in nor in
   * `managedPolicies`) instead of throwing; `explain()` lists them. An Allowed answer stays sound (unless
   * the missing policy had a Deny); an ImplicitlyDenied one may be missing that policy's allows.
   * @default false
   */
  readonly ignoreUnknownAwsManagedPolicies?: boolean;
  /**
   * Identity policies of a principal given as an ARN that is not in the stacks (another account's
   * role, user or root). By default such a principal may do anything its own account allows, so the
   * answer shows what the resource side (resource policy, SCPs, RCPs) lets through.
   * @default [AdministratorAccess]
   */
  readonly externalPrincipalPolicies?: readonly PolicyDocument[];
  /** Role session name of requests made by a role. @default 'access-model' */
  readonly sessionName?: string;
  /** Values of template parameters, by name. @default each parameter's Default */
  readonly parameters?: Readonly<Record<string, unknown>>;
}

/** One request to evaluate. */
export interface CheckRequest {
  /**
   * Who makes the request: an IAM role (the request comes from its assumed-role session) or user
   * construct of one of the stacks, or an ARN (a role, assumed-role session, user, account root,
   * or a service principal such as 'lambda.amazonaws.com').
   */
  readonly principal: IConstruct | string;
  /** The action, e.g. 's3:GetObject'. */
  readonly action: string;
  /** What the request is on: a construct of the stacks (its ARN and resource policy) or an ARN. */
  readonly resource: IConstruct | string;
  /** Appended to the resource construct's ARN, e.g. '/reports/a.csv' for an object of a bucket. */
  readonly resourceSuffix?: string;
  /** Account that owns `resource` when it is an ARN without an account (an S3 ARN of a bucket not in the stacks). */
  readonly resourceAccount?: string;
  /** Condition keys of the request; they override the model's defaults. */
  readonly context?: RequestContext;
  /** A session policy passed when the role session was created (AssumeRole's `Policy`). @default none */
  readonly sessionPolicy?: PolicyDocument;
  /**
   * The VPC endpoint (an AWS::EC2::VPCEndpoint construct of the stacks) the request goes through: its
   * policy applies, and `aws:SourceVpce` / `aws:SourceVpc` are set. @default the request does not use an endpoint
   */
  readonly vpcEndpoint?: IConstruct;
}
