import { App, Lazy, Names, NestedStack, Stack, Stage, Token } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { RegionConcurrency } from './region-concurrency';
import { StackSetAccounts } from './stack-set-accounts';
import { StackSetTarget } from './stack-set-target';

/** Properties of an `OrganizationStackSet`. */
export interface OrganizationStackSetProps {
  /**
   * The stack to roll out: an ordinary CDK stack, environment-agnostic (no `env`: it lands in every
   * target account and region), in a `Stage` of this App of its own (`new Stage(app, 'AuditRollout')`),
   * so that it is synthesized but never deployed by itself. Its template must need nothing the
   * target accounts lack: no assets, no context lookups, no references to other stacks.
   */
  readonly stack: Stack;

  /** The OUs (or the root) whose accounts get the stack; at most 50, the most one StackSets operation takes. */
  readonly targets: StackSetTarget[];

  /** The regions to deploy to in every target account, e.g. `['us-east-1', 'eu-west-1']`. */
  readonly regions: string[];

  /**
   * The StackSet's name: a letter, then letters, digits and `-`, at most 128 characters.
   *
   * @default - a name made from the construct's path
   */
  readonly stackSetName?: string;

  /**
   * The StackSet's description, at most 1,024 characters.
   *
   * @default - the rolled-out stack's description, if any
   */
  readonly description?: string;

  /**
   * Deploy to accounts that join a target OU later, and remove the stack from accounts that leave.
   *
   * @default true
   */
  readonly autoDeployment?: boolean;

  /**
   * Keep the stack's resources in an account that leaves a target OU (its stack instance is removed
   * from the StackSet, the stack stays). Only with `autoDeployment`.
   *
   * @default false - the stack is deleted from an account that leaves
   */
  readonly retainStacksOnAccountRemoval?: boolean;

  /**
   * How many accounts per region an operation works on at once. Under CloudFormation's default
   * strict failure tolerance, a count may be at most `failureTolerance` + 1.
   *
   * @default StackSetAccounts.count(1)
   */
  readonly maxConcurrentAccounts?: StackSetAccounts;

  /**
   * How many accounts per region may fail before the operation stops in that region (and does not
   * start in the next ones).
   *
   * @default StackSetAccounts.count(0)
   */
  readonly failureTolerance?: StackSetAccounts;

  /**
   * Whether regions are deployed one after the other (in the order of `regions`) or all at once.
   *
   * @default RegionConcurrency.SEQUENTIAL
   */
  readonly regionConcurrency?: RegionConcurrency;

  /**
   * Deploy from a delegated administrator account for CloudFormation StackSets (`CallAs:
   * DELEGATED_ADMIN`) rather than from the management account.
   *
   * @default false - the stack holding this construct is deployed in the management account
   */
  readonly callAsDelegatedAdmin?: boolean;
}

/** StackSets take at most 50 OUs in one CreateStackInstances/UpdateStackSet operation. */
export const MAX_TARGETS = 50;
/** CreateStackSet's `TemplateBody` is at most 51,200 bytes. */
export const MAX_TEMPLATE_BODY = 51200;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const NAME = /^[a-zA-Z][a-zA-Z0-9-]{0,127}$/;

/** What `OrganizationStackSet` takes out of a CDK template: the bootstrap check CDK adds for `cdk deploy`. */
const BOOTSTRAP_PARAMETER = 'BootstrapVersion';
const BOOTSTRAP_RULE = 'CheckBootstrapVersion';
/** Name properties of IAM resources: a literal name is the same in every region of an account. */
const GLOBAL_NAME_PROPERTIES = ['RoleName', 'ManagedPolicyName', 'UserName', 'GroupName', 'InstanceProfileName'];

/**
 * A CDK stack rolled out to every account of given OUs and regions by a service-managed
 * CloudFormation StackSet (`AWS::CloudFormation::StackSet`, `PermissionModel: SERVICE_MANAGED`), with
 * automatic deployment to accounts that join later, concurrency and failure tolerance, and the
 * delegated administrator option. Deploy it in the management account (or the delegated
 * administrator) with trusted access for StackSets enabled in Organizations.
 *
 * The stack is written as an ordinary CDK stack in a `Stage` of its own and its synthesized
 * template becomes the StackSet's `TemplateBody`: the same resources, minus CDK's bootstrap-version
 * check (`BootstrapVersion` parameter, `CheckBootstrapVersion` rule), which names an SSM parameter
 * that target accounts need not have. Anything a target account could not resolve is refused at
 * synth with a message: file or image assets (they live in this account's bootstrap bucket and
 * repository), context lookups, references to other stacks (`Fn::ImportValue`), parameters without
 * a default, an `env`, more than 50 targets, a template over 51,200 bytes.
 *
 * Stacks land as `StackSet-<name>-<id>` in each account, created by the StackSets execution role
 * `stacksets-exec-*`: exempt that role from guardrails that would stop it (e.g. `protectRoles` of a
 * role the stack creates).
 */
export class OrganizationStackSet extends Construct {
  /** The `AWS::CloudFormation::StackSet`. */
  public readonly resource: cloudformation.CfnStackSet;
  /** The StackSet's name. */
  public readonly stackSetName: string;
  /** The rolled-out stack. */
  public readonly stack: Stack;

  private readonly where: string;
  private readonly regions: string[];
  private rendered?: { body?: string; capabilities: string[]; errors: string[] };

  constructor(scope: Construct, id: string, props: OrganizationStackSetProps) {
    super(scope, id);
    const where = this.where = `OrganizationStackSet ${this.node.path}`;
    this.stack = props.stack;
    checkStack(where, this, props.stack);
    checkTargets(where, props.targets);
    checkRegions(where, props.regions);
    this.regions = props.regions;

    const name = props.stackSetName ?? defaultName(this);
    if (!Token.isUnresolved(name) && !NAME.test(name)) {
      throw new Error(`${where}: stackSetName must start with a letter and hold only letters, digits and "-", at most 128 characters, got "${name}"`);
    }
    this.stackSetName = name;
    const description = props.description ?? props.stack.templateOptions.description;
    if (description !== undefined && !Token.isUnresolved(description) && description.length > 1024) {
      throw new Error(`${where}: description must be at most 1,024 characters, got ${description.length}`);
    }
    const autoDeployment = props.autoDeployment ?? true;
    if (!autoDeployment && props.retainStacksOnAccountRemoval !== undefined) {
      throw new Error(`${where}: retainStacksOnAccountRemoval applies only with autoDeployment (accounts leaving an OU are handled by automatic deployment); remove it or turn autoDeployment on`);
    }
    const preferences = operationPreferences(where, props);

    this.resource = new cloudformation.CfnStackSet(this, 'Resource', {
      stackSetName: name,
      description,
      permissionModel: 'SERVICE_MANAGED',
      autoDeployment: { enabled: autoDeployment, retainStacksOnAccountRemoval: autoDeployment ? (props.retainStacksOnAccountRemoval ?? false) : undefined },
      callAs: props.callAsDelegatedAdmin ? 'DELEGATED_ADMIN' : 'SELF',
      // more than one operation at a time on the StackSet queues instead of failing
      managedExecution: { Active: true },
      operationPreferences: preferences,
      capabilities: Lazy.list({ produce: () => this.render().capabilities }, { omitEmpty: true }),
      // left out when the template cannot be a StackSet's: the validation below says why (CDK resolves
      // every property while it looks for cross-stack references, before validations run)
      templateBody: Lazy.string({ produce: () => this.render().body }),
      stackInstancesGroup: [{
        deploymentTargets: { organizationalUnitIds: props.targets.map((t) => t.targetId) },
        regions: props.regions,
      }],
    });
    // the rolled-out stack's stage is synthesized before this validation runs (nested assemblies first)
    this.node.addValidation({ validate: () => this.render().errors });
  }

  /** The StackSet's template: the rolled-out stack's synthesized template, as a string. */
  public templateBody(): string {
    const { body, errors } = this.render();
    if (body === undefined) throw new Error(errors.join('\n'));
    return body;
  }

  private render(): { body?: string; capabilities: string[]; errors: string[] } {
    if (!this.rendered) this.rendered = renderTemplate(this.where, this.stack, this.regions);
    return this.rendered;
  }
}

function defaultName(scope: Construct): string {
  const name = Names.uniqueResourceName(scope, { maxLength: 128, separator: '-', allowedSpecialCharacters: '-' });
  return /^[a-zA-Z]/.test(name) ? name : `S${name.slice(0, 127)}`;
}

function checkStack(where: string, scope: Construct, stack: Stack): void {
  if (NestedStack.isNestedStack(stack)) {
    throw new Error(`${where}: stack ${stack.node.path} is a nested stack; roll out an ordinary Stack in a Stage of its own`);
  }
  const stage = Stage.of(stack);
  const own = Stage.of(scope);
  let why: string | undefined;
  if (!stage || stack.node.root !== scope.node.root) {
    why = 'is in another App, whose synthesis would write its own cloud assembly over this one\'s';
  } else if (stage === own) {
    why = 'is in the same Stage as the StackSet, so `cdk deploy --all` would also deploy it into this account';
  } else if (App.isApp(stage)) {
    why = 'is a top-level stack of the App, so `cdk deploy --all` would also deploy it';
  } else if (own && own.node.path.startsWith(`${stage.node.path}/`)) {
    // the stack's Stage would synthesize the StackSet's Stage first, which needs the stack's template
    why = `is in Stage ${stage.node.path}, which holds the StackSet's own Stage`;
  }
  if (why) {
    throw new Error(`${where}: stack ${stack.node.path} ${why}; create it in a Stage of this App of its own, e.g. new MyStack(new Stage(app, 'Rollout'), 'Audit')`);
  }
  for (const [key, value] of [['account', stack.account], ['region', stack.region]]) {
    if (!Token.isUnresolved(value)) {
      throw new Error(`${where}: stack ${stack.node.path} has env.${key} "${value}", but its template is deployed to every target account and region; leave env out so the stack uses AWS::AccountId and AWS::Region`);
    }
  }
}

function checkTargets(where: string, targets: StackSetTarget[]): void {
  if (targets.length === 0) {
    throw new Error(`${where}: targets must name at least one OU, got an empty list; e.g. [StackSetTarget.organizationalUnit(ous.get('Workloads'))]`);
  }
  if (targets.length > MAX_TARGETS) {
    throw new Error(`${where}: ${targets.length} target OUs, but a StackSets operation takes at most ${MAX_TARGETS} OUs (CloudFormation's CreateStackInstances/UpdateStackSet limit); target a parent OU holding them, or split them over several OrganizationStackSets of at most ${MAX_TARGETS} each`);
  }
  const seen = new Map<string, StackSetTarget>();
  for (const target of targets) {
    if (seen.has(target._key)) {
      throw new Error(`${where}: ${target.description} is listed twice in targets; list it once`);
    }
    seen.set(target._key, target);
  }
}

function checkRegions(where: string, regions: string[]): void {
  if (regions.length === 0) {
    throw new Error(`${where}: regions must name at least one region, got an empty list; e.g. ['us-east-1']`);
  }
  const seen = new Set<string>();
  for (const region of regions) {
    if (Token.isUnresolved(region)) {
      throw new Error(`${where}: regions must be literal region names (the StackSet is defined at synth), got a token (${region}); write e.g. 'eu-west-1'`);
    }
    if (!REGION.test(region)) {
      throw new Error(`${where}: "${region}" is not a region name such as eu-west-1`);
    }
    if (seen.has(region)) {
      throw new Error(`${where}: region ${region} is listed twice; list it once`);
    }
    seen.add(region);
  }
}

function operationPreferences(where: string, props: OrganizationStackSetProps): cloudformation.CfnStackSet.OperationPreferencesProperty {
  const concurrency = props.maxConcurrentAccounts ?? StackSetAccounts.count(1);
  const tolerance = props.failureTolerance ?? StackSetAccounts.count(0);
  check(where, 'maxConcurrentAccounts', concurrency, 1);
  check(where, 'failureTolerance', tolerance, 0);
  if (concurrency.accountCount !== undefined && tolerance.accountCount !== undefined && concurrency.accountCount > tolerance.accountCount + 1) {
    throw new Error(`${where}: maxConcurrentAccounts ${concurrency._describe()} exceeds failureTolerance ${tolerance._describe()} + 1; under CloudFormation's strict failure tolerance at most ${tolerance.accountCount + 1} accounts run at once, so raise failureTolerance to ${concurrency.accountCount - 1} or lower maxConcurrentAccounts`);
  }
  return {
    maxConcurrentCount: concurrency.accountCount,
    maxConcurrentPercentage: concurrency.accountPercentage,
    failureToleranceCount: tolerance.accountCount,
    failureTolerancePercentage: tolerance.accountPercentage,
    regionConcurrencyType: props.regionConcurrency ?? RegionConcurrency.SEQUENTIAL,
    regionOrder: (props.regionConcurrency ?? RegionConcurrency.SEQUENTIAL) === RegionConcurrency.SEQUENTIAL && props.regions.length > 1 ? props.regions : undefined,
  };
}

function check(where: string, prop: string, value: StackSetAccounts, min: number): void {
  if (value.accountCount !== undefined && !Token.isUnresolved(value.accountCount) && (!Number.isInteger(value.accountCount) || value.accountCount < min)) {
    throw new Error(`${where}: ${prop} must be a whole number of accounts, at least ${min}, got ${value.accountCount}`);
  }
  if (value.accountPercentage !== undefined && !Token.isUnresolved(value.accountPercentage) && (!Number.isInteger(value.accountPercentage) || value.accountPercentage < min || value.accountPercentage > 100)) {
    throw new Error(`${where}: ${prop} must be a whole percentage from ${min} to 100, got ${value.accountPercentage}`);
  }
}

/** The rolled-out stack's template as the StackSet's body, or the reasons it cannot be one. */
function renderTemplate(where: string, stack: Stack, regions: string[]): { body?: string; capabilities: string[]; errors: string[] } {
  const assembly = Stage.of(stack)!.synth();
  const artifact = assembly.getStackArtifact(stack.artifactId);
  const errors: string[] = [];
  const about = `stack ${stack.node.path}`;

  const missing = (assembly.manifest.missing ?? []).map((m) => m.key);
  if (missing.length > 0) {
    errors.push(`${where}: the Stage of ${about} looks up ${missing.join(', ')} from the deploying account at synth; a StackSet's template must hold the value for every target account, so pass it as a literal (or read it at deploy time, e.g. from SSM with a dynamic reference)`);
  }
  const assets = [
    ...artifact.assets.map((a) => a.path),
    ...artifact.dependencies.filter(cxapi.AssetManifestArtifact.isAssetManifestArtifact).flatMap((manifest) => [
      ...Object.values(manifest.contents.files ?? {}).map((f) => f.source.path).filter((p) => p !== artifact.templateFile),
      ...Object.keys(manifest.contents.dockerImages ?? {}).map((id) => `image ${id}`),
    ]),
  ];
  if (assets.length > 0) {
    errors.push(`${where}: ${about} has ${assets.length} asset(s) (${assets.join(', ')}); assets are published to this account's CDK bootstrap bucket and repository, which the target accounts cannot read, so a StackSet cannot carry them; use inline code (lambda.Code.fromInline) or resources without assets`);
  }

  const template = JSON.parse(JSON.stringify(artifact.template));
  // CDK's check that `cdk bootstrap` ran in the account: StackSets deploy without it
  if (template.Rules?.[BOOTSTRAP_RULE]) delete template.Rules[BOOTSTRAP_RULE];
  if (template.Rules && Object.keys(template.Rules).length === 0) delete template.Rules;
  if (template.Parameters?.[BOOTSTRAP_PARAMETER]) delete template.Parameters[BOOTSTRAP_PARAMETER];
  if (template.Parameters && Object.keys(template.Parameters).length === 0) delete template.Parameters;

  const body = JSON.stringify(template);
  const references = ['Fn::ImportValue', 'Fn::GetStackOutput'].filter((fn) => body.includes(`"${fn}"`));
  if (references.length > 0) {
    errors.push(`${where}: ${about} reads outputs of other stacks (${references.join(', ')}, a cross-stack reference); those stacks do not exist in the target accounts, so pass the values in as literals`);
  }
  const required = Object.entries<{ Default?: unknown }>(template.Parameters ?? {}).filter(([, p]) => p.Default === undefined).map(([k]) => k);
  if (required.length > 0) {
    errors.push(`${where}: ${about} has parameters without a default (${required.join(', ')}); the StackSet passes no parameter values, so give each a default`);
  }
  const types = Object.values<{ Type: string }>(template.Resources ?? {}).map((r) => r.Type);
  const nested = [...new Set(types.filter((t) => t === 'AWS::CloudFormation::Stack' || t === 'AWS::CloudFormation::StackSet'))];
  if (nested.length > 0) {
    errors.push(`${where}: ${about} contains ${nested.join(' and ')} resources, which StackSets do not allow in a template; roll the nested stack's resources out directly`);
  }
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_TEMPLATE_BODY) {
    errors.push(`${where}: ${about}'s template is ${bytes.toLocaleString('en-US')} bytes, more than the ${MAX_TEMPLATE_BODY.toLocaleString('en-US')} a StackSet's TemplateBody may have; split it into more stacks and StackSets`);
  }

  if (regions.length > 1) {
    // IAM is global: the stack instance of the second region would create the same name again
    const named = Object.entries<{ Type: string; Properties?: Record<string, unknown> }>(template.Resources ?? {})
      .filter(([, r]) => r.Type.startsWith('AWS::IAM::'))
      .flatMap(([id, r]) => GLOBAL_NAME_PROPERTIES.filter((p) => typeof r.Properties?.[p] === 'string').map((p) => `${id} (${p} ${r.Properties![p]})`));
    if (named.length > 0) {
      errors.push(`${where}: ${about} creates IAM resources with fixed names (${named.join(', ')}), and IAM is global: the stack instances of ${regions.length} regions would create each name ${regions.length} times in every account; roll out IAM resources to one region, and regional resources with another OrganizationStackSet`);
    }
  }

  const capabilities: string[] = [];
  if (types.some((t) => t.startsWith('AWS::IAM::'))) capabilities.push('CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM');
  if (template.Transform !== undefined) capabilities.push('CAPABILITY_AUTO_EXPAND');
  return { body: errors.length === 0 ? body : undefined, capabilities, errors };
}
