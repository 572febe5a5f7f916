import { Annotations, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IConstruct, IDependable } from 'constructs';
import { acknowledge } from '../../private/acknowledge';

/**
 * Characters of ARNs a customer-managed policy of the shared role may hold. IAM allows 6,144
 * characters (whitespace not counted); the statements around the ARNs (actions, conditions) take
 * under 700 of them, whichever statements a policy holds.
 */
const POLICY_ARN_BUDGET = 6144 - 700;

/** Longest partition, region and account id, for ARNs whose environment is not known at synth. */
const MAX_ENV_CHARS = { partition: 'aws-iso-b'.length, region: 'ap-southeast-5'.length, account: 12 };

/** What a rotation function does to each secret it rotates. */
export const ROTATION_ACTIONS = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'];

/** What it does with each secret's key, through Secrets Manager. */
export const ROTATION_KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'];

/** IAM's default quota of managed policies per role; the base policy takes one. */
const MANAGED_POLICIES_PER_ROLE = 10;

/** What the function must reach to rotate one secret. */
export interface RotatedSecretAccess {
  readonly secret: secretsmanager.ISecret;
  readonly encryptionKey?: kms.IKey;
  readonly masterSecret?: secretsmanager.ISecret;
  /** Customer-managed keys of the secret's replicas, by region. */
  readonly replicaKeys?: { readonly region: string; readonly key: kms.IKey }[];
}

/** The statements of a secrets policy: the secrets' one first, the others when first needed. */
type StatementKind = 'secrets' | 'keys' | 'masters' | 'masterKeys';

function statementProps(kind: StatementKind, region: string): iam.PolicyStatementProps {
  const viaSecretsManager = { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } };
  switch (kind) {
    case 'secrets': return { actions: ROTATION_ACTIONS };
    case 'keys': return { actions: ROTATION_KEY_ACTIONS, conditions: viaSecretsManager };
    case 'masters': return { actions: ['secretsmanager:GetSecretValue'] };
    // the engine only reads the master secret: decrypt, no data keys
    case 'masterKeys': return { actions: ['kms:Decrypt'], conditions: viaSecretsManager };
  }
}

/**
 * The customer-managed policies that give a shared rotation function's role its secrets, as many
 * secrets to a policy as their ARNs fit in IAM's size limit (POLICY_ARN_BUDGET), created under
 * `scope` as `SecretsPolicy<n>` when the last is full.
 */
export class SecretsPolicies {
  private readonly policies: SecretsPolicy[] = [];
  private secrets = 0;

  constructor(private readonly scope: Construct, private readonly role: iam.IRole) {}

  /** Names the secret in the current policy; returns that policy, so the rotation can wait for it. */
  public add(access: RotatedSecretAccess): iam.ManagedPolicy {
    const last = this.policies[this.policies.length - 1];
    const policy = last && last.fits(access) ? last : this.next();
    policy.add(access);
    this.secrets += 1;
    return policy.policy;
  }

  private next(): SecretsPolicy {
    const n = this.policies.length + 1;
    if (n === MANAGED_POLICIES_PER_ROLE) {
      Annotations.of(this.scope).addWarningV2('cdk-security-patterns:rotation-policy-quota',
        `More than ${this.secrets} secrets use this rotation function: their ARNs fill ${n - 1} managed policies, and its role needs more than `
        + `${MANAGED_POLICIES_PER_ROLE} managed policies, IAM's default quota. Raise the quota "Managed policies per role" or split the secrets across stacks.`);
    }
    const policy = new SecretsPolicy(this.scope, `SecretsPolicy${n}`, this.role, Stack.of(this.scope));
    this.policies.push(policy);
    return policy;
  }
}

/** One customer-managed policy with the ARNs of as many secrets as fit. */
class SecretsPolicy {
  public readonly policy: iam.ManagedPolicy;
  /** Estimated characters of the ARNs (and replica statements) named so far. */
  private chars = 0;
  private readonly region: string;
  private readonly seen = new Set<string>();
  private readonly statements = new Map<StatementKind, iam.PolicyStatement>();

  constructor(scope: Construct, id: string, role: iam.IRole, private readonly stack: Stack) {
    this.region = stack.region;
    const secrets = new iam.PolicyStatement(statementProps('secrets', this.region));
    this.statements.set('secrets', secrets);
    this.policy = new iam.ManagedPolicy(scope, id, {
      roles: [role],
      description: 'The secrets this rotation function rotates, and their keys',
      statements: [secrets],
    });
  }

  /** Whether the secret's ARNs fit; an empty policy takes any one secret. */
  public fits(access: RotatedSecretAccess): boolean {
    return this.chars + this.cost(access) <= POLICY_ARN_BUDGET;
  }

  /** Estimated characters the secret adds: ARNs not named yet (3 more each for quotes and comma), replica statements. */
  private cost(access: RotatedSecretAccess): number {
    const arns: [StatementKind, string | undefined, number][] = [
      ['secrets', secretArnForPolicy(access.secret), secretArnLength(this.stack, access.secret)],
      ['keys', access.encryptionKey?.keyArn, keyArnLength(this.stack, access.encryptionKey)],
      ['masters', access.masterSecret && secretArnForPolicy(access.masterSecret), access.masterSecret ? secretArnLength(this.stack, access.masterSecret) : 0],
      ['masterKeys', access.masterSecret?.encryptionKey?.keyArn, keyArnLength(this.stack, access.masterSecret?.encryptionKey)],
    ];
    let cost = 0;
    for (const [kind, arn, length] of arns) {
      if (arn !== undefined && !this.seen.has(`${kind}|${arn}`)) cost += length + 3;
    }
    // a replica key's statement: actions, two services, maybe an alias condition, and the key's ARN
    for (const replica of access.replicaKeys ?? []) {
      if (!this.seen.has(`replica|${replica.key.keyArn}`)) cost += 300 + keyArnLength(this.stack, replica.key);
    }
    return cost;
  }

  public add(access: RotatedSecretAccess): void {
    this.chars += this.cost(access);
    this.addTo('secrets', secretArnForPolicy(access.secret));
    acknowledgePartialArn(this.policy, access.secret);
    if (access.encryptionKey) this.addTo('keys', access.encryptionKey.keyArn);
    if (access.masterSecret) {
      this.addTo('masters', secretArnForPolicy(access.masterSecret));
      acknowledgePartialArn(this.policy, access.masterSecret);
      if (access.masterSecret.encryptionKey) this.addTo('masterKeys', access.masterSecret.encryptionKey.keyArn);
    }
    for (const replica of access.replicaKeys ?? []) this.addReplicaKey(replica.region, replica.key);
  }

  private addReplicaKey(region: string, key: kms.IKey): void {
    const seenKey = `replica|${key.keyArn}`;
    if (this.seen.has(seenKey)) return;
    this.seen.add(seenKey);
    const { statement, aliasKeys } = replicaKeyStatement(region, key, this.region);
    this.policy.addStatements(statement);
    if (aliasKeys) acknowledgeAliasKeys(this.policy, region, aliasKeys);
  }

  /** Names `arn` in the statement of its kind (created on first use), once. */
  private addTo(kind: StatementKind, arn: string): void {
    const key = `${kind}|${arn}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    let statement = this.statements.get(kind);
    if (!statement) {
      statement = new iam.PolicyStatement(statementProps(kind, this.region));
      this.statements.set(kind, statement);
      this.policy.addStatements(statement);
    }
    statement.addResources(arn);
  }
}

/**
 * Gives your own rotation function what the shared one gets from its SecretsPolicies (the same
 * statements, in its role's default policy) and lets Secrets Manager invoke it. Returns what the
 * first rotation must wait for. `stack` is the secret's.
 */
export function grantRotation(stack: Stack, fn: lambda.IFunction, access: RotatedSecretAccess): IDependable[] {
  const region = stack.region;
  const defaultPolicy = () => fn.role?.node.tryFindChild('DefaultPolicy');
  for (const replica of access.replicaKeys ?? []) {
    const { statement, aliasKeys } = replicaKeyStatement(replica.region, replica.key, region);
    fn.addToRolePolicy(statement);
    const policy = defaultPolicy();
    if (aliasKeys && policy) acknowledgeAliasKeys(policy, replica.region, aliasKeys);
  }
  fn.addToRolePolicy(new iam.PolicyStatement({ ...statementProps('secrets', region), resources: [secretArnForPolicy(access.secret)] }));
  if (access.encryptionKey) {
    fn.addToRolePolicy(new iam.PolicyStatement({ ...statementProps('keys', region), resources: [access.encryptionKey.keyArn] }));
  }
  return [allowInvokeBySecretsManager(fn, stack), defaultPolicy()].filter((d): d is Construct => d instanceof Construct);
}

/**
 * Secrets Manager copies each new version to the replicas with the permissions of the caller of
 * PutSecretValue, the rotation function: it must encrypt with the replica keys, through Secrets
 * Manager (AWS does not document which region's endpoint makes the call, so both the secret's and the
 * replica's). A key named by alias ARN is matched by its alias (kms:ResourceAliases),
 * since IAM matches cryptographic operations against key ARNs only; `aliasKeys` is then the
 * resource the statement names (the region's keys).
 */
export function replicaKeyStatement(region: string, key: kms.IKey, primaryRegion: string): { statement: iam.PolicyStatement; aliasKeys?: string } {
  const arn = key.keyArn;
  const alias = Token.isUnresolved(arn) ? undefined : /^(arn:[^:]+:kms:[^:]+:[^:]*):(alias\/.+)$/.exec(arn);
  const resource = alias ? `${alias[1]}:key/*` : arn;
  const statement = new iam.PolicyStatement({
    actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
    resources: [resource],
    conditions: {
      StringEquals: { 'kms:ViaService': [`secretsmanager.${primaryRegion}.amazonaws.com`, `secretsmanager.${region}.amazonaws.com`] },
      ...(alias ? { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': alias[2] } } : {}),
    },
  });
  return { statement, aliasKeys: alias ? resource : undefined };
}

/** The `key/*` of an alias-matched replica key is one key: acknowledge it for cdk-nag. */
export function acknowledgeAliasKeys(scope: Construct, region: string, aliasKeys: string): void {
  acknowledge(scope, [{
    id: 'AwsSolutions-IAM5',
    reason: `The replica key in ${region} is known by its alias; IAM matches encryption against key ARNs, so the statement names the region's keys `
      + 'and kms:ResourceAliases lets in only the key with that alias, used through Secrets Manager',
    appliesTo: [`Resource::${aliasKeys}`],
  }]);
}

/**
 * A secret imported by partial ARN (or name) is named `<partial ARN>-??????` in policies: the
 * wildcard stands for the 6 characters Secrets Manager appends, and matches that one secret.
 */
function acknowledgePartialArn(policy: iam.ManagedPolicy, secret: secretsmanager.ISecret): void {
  if (secret.secretFullArn || Token.isUnresolved(secret.secretArn)) return;
  acknowledge(policy, [{
    id: 'AwsSolutions-IAM5',
    reason: 'The secret is known by its partial ARN; "-??????" stands for the 6 random characters Secrets Manager appends to every secret ARN, so it names that one secret',
    appliesTo: [`Resource::${secret.secretArn}-??????`],
  }]);
}

/** The length of a partition, region or account id of `stack`, or the longest there is when unknown. */
function envLength(value: string, kind: keyof typeof MAX_ENV_CHARS): number {
  return Token.isUnresolved(value) ? MAX_ENV_CHARS[kind] : value.length;
}

/** `arn:<partition>:<service>:<region>:<account>:` */
function arnPrefixLength(stack: Stack, service: string): number {
  return 'arn:::::'.length + service.length + envLength(stack.partition, 'partition') + envLength(stack.region, 'region') + envLength(stack.account, 'account');
}

/**
 * Estimated length of a secret's ARN once deployed: known when imported by ARN or named; a name that
 * CloudFormation generates is the logical id, a hyphen and 12 characters; Secrets Manager appends
 * `-XXXXXX`. An ARN known only at deploy time counts as long as a 512-character name makes it.
 */
function secretArnLength(stack: Stack, secret: secretsmanager.ISecret): number {
  const arn = secretArnForPolicy(secret);
  if (!Token.isUnresolved(arn)) return arn.length;
  const prefix = arnPrefixLength(stack, 'secretsmanager') + 'secret:'.length + '-XXXXXX'.length;
  const cfn = secret.node.defaultChild;
  if (cfn instanceof secretsmanager.CfnSecret) {
    // the L2 Secret passes its physical name as a token, undefined unless named
    const name: unknown = Stack.of(cfn).resolve(cfn.name);
    if (typeof name === 'string') return prefix + name.length;
    if (name === undefined) return prefix + Stack.of(cfn).getLogicalId(cfn).length + 13;
  }
  return prefix + 512;
}

/** Estimated length of a key's ARN: `key/` and a 36-character id unless known. */
function keyArnLength(stack: Stack, key: kms.IKey | undefined): number {
  if (!key) return 0;
  if (!Token.isUnresolved(key.keyArn)) return key.keyArn.length;
  return arnPrefixLength(stack, 'kms') + 'key/'.length + 36;
}

/** The ARN to name a secret by in policies: the full ARN, or the partial one with the random suffix. */
export function secretArnForPolicy(secret: secretsmanager.ISecret): string {
  return secret.secretFullArn ?? `${secret.secretArn}-??????`;
}

/**
 * Lets Secrets Manager of `stack`'s account invoke `fn` for the account's secrets in the stack's
 * region, once per function. Returns the permission, or undefined where the function is imported and
 * this app cannot add to its policy.
 */
export function allowInvokeBySecretsManager(fn: lambda.IFunction, stack: Stack): IConstruct | undefined {
  const id = 'InvokeBySecretsManager';
  if (!fn.permissionsNode.tryFindChild(id)) {
    fn.addPermission(id, {
      principal: new iam.ServicePrincipal('secretsmanager.amazonaws.com'),
      sourceAccount: stack.account,
      sourceArn: stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
    });
  }
  return fn.permissionsNode.tryFindChild(id);
}
