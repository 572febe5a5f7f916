import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Annotations, ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IConstruct, IDependable } from 'constructs';
import { acknowledge } from '../private/acknowledge';
import { SecureKey } from '../common/secure-key';
import { allowCloudWatchLogs } from '../private/cloudwatch-logs-key';
import { DatabaseTarget } from './database-target';
import { RotationStrategy } from './rotation-strategy';

/**
 * Secrets per customer-managed policy of the shared role. A managed policy holds at most 6,144
 * characters; a secret adds up to four ARNs (secret, its key, master secret, master key) of about
 * 100 characters each, so 12 secrets stay well under the limit whatever their names.
 */
const SECRETS_PER_POLICY = 12;

/** What a rotation function does to each secret it rotates. */
export const ROTATION_ACTIONS = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'];

/** What it does with each secret's key, through Secrets Manager. */
export const ROTATION_KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'];

/** IAM's default quota of managed policies per role; the base policy takes one. */
const MANAGED_POLICIES_PER_ROLE = 10;

/** Where the shared function runs and what it does: secrets with equal options share one function. */
export interface SharedRotationFunctionOptions {
  readonly strategy: RotationStrategy;
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly secretsManagerEndpoint: boolean;
  /**
   * The runtime the function runs on. Not part of the function's identity: changing it updates the
   * function in place rather than replacing it (and its retained log group and key).
   */
  readonly runtime: lambda.Runtime;
  /** The construct that asks for the function, named when two of them ask for different runtimes. */
  readonly requestedBy: IConstruct;
}

/** What the function must reach to rotate one secret. */
export interface RotatedSecretAccess {
  readonly secret: secretsmanager.ISecret;
  readonly encryptionKey?: kms.IKey;
  readonly masterSecret?: secretsmanager.ISecret;
  /** Customer-managed keys of the secret's replicas, by region. */
  readonly replicaKeys?: { readonly region: string; readonly key: kms.IKey }[];
}

/**
 * The one rotation function of a stack for one strategy and placement, shared by every secret that
 * uses it. Found or created at stack level under an id derived from the strategy and its options
 * (like aws-cdk-lib's SingletonFunction). Its role starts with logging (and ENI management in a
 * VPC) and grows by each secret's ARN and key, so it reaches only the secrets that use it.
 */
export class SharedRotationFunction extends Construct {
  /** The stack's shared function for these options, created on first use. */
  public static of(scope: Construct, options: SharedRotationFunctionOptions): SharedRotationFunction {
    const stack = Stack.of(scope);
    const id = SharedRotationFunction.idFor(options);
    const existing = stack.node.tryFindChild(id);
    if (existing === undefined) return new SharedRotationFunction(stack, id, options);
    if (!(existing instanceof SharedRotationFunction)) {
      throw new Error(`RotatingSecret: the id ${id} at the top of stack ${stack.stackName} is reserved for the shared rotation function, `
        + `but ${existing.node.path} uses it; rename that construct`);
    }
    existing.checkRuntime(options);
    return existing;
  }

  /** Stable construct id: strategy name plus a short hash of everything that shapes the function. */
  private static idFor(options: SharedRotationFunctionOptions): string {
    const pascal = options.strategy.name.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('');
    const placement = options.vpc
      ? options.vpc.selectSubnets(options.vpcSubnets).subnets.map((s) => s.node.path).sort()
      : [];
    const fingerprint = JSON.stringify({
      environment: options.strategy._environment(),
      vpc: options.vpc?.node.path,
      subnets: placement,
      endpoint: options.secretsManagerEndpoint,
    });
    const hash = createHash('sha256').update(fingerprint).digest('hex').slice(0, 8);
    return `SecretRotation${pascal}${hash}`;
  }

  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  public readonly securityGroup?: ec2.SecurityGroup;
  public readonly endpoint?: ec2.InterfaceVpcEndpoint;
  /** Secrets Manager may invoke the function (for secrets of this account and region only). */
  public readonly invokePermission: IDependable;

  private readonly policies: SecretsPolicy[] = [];
  private readonly connected = new Set<ec2.Connections>();
  /** The first construct that asked for the function, and so chose its runtime. */
  private readonly firstRequest: IConstruct;

  private constructor(scope: Construct, id: string, options: SharedRotationFunctionOptions) {
    super(scope, id);
    const stack = Stack.of(this);
    const strategy = options.strategy;
    this.firstRequest = options.requestedBy;
    const assetDir = path.join(__dirname, '..', '..', 'assets', 'rotation', strategy._engine);
    if (!existsSync(path.join(assetDir, 'index.js'))) {
      throw new Error(`RotatingSecret: the rotation bundle ${assetDir}/index.js is missing; run \`npm run bundle\` (part of \`npm run build\`) before synthesizing`);
    }

    this.role = new iam.Role(this, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Rotates the Secrets Manager secrets that use ${strategy.name} rotation in ${stack.stackName}`,
    });

    // The engine never logs secret values; the logs are still rotation audit records, so they are
    // kept a year and encrypted with a key of our own.
    const logKey = new SecureKey(this, 'LogKey', {
      description: `Encrypts the logs of the ${strategy.name} rotation function`,
    });
    allowCloudWatchLogs(logKey);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: logKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const base = new iam.ManagedPolicy(this, 'Policy', {
      roles: [this.role],
      description: `Logging${options.vpc ? ', VPC networking' : ''} and password generation for the ${strategy.name} rotation function`,
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetRandomPassword'],
          resources: ['*'],
        }),
      ],
    });

    if (options.vpc) {
      this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc: options.vpc,
        allowAllOutbound: false,
        description: `The ${strategy.name} rotation function: reaches its databases and Secrets Manager only`,
      });
      base.addStatements(new iam.PolicyStatement({
        // the actions of the AWS managed AWSLambdaVPCAccessExecutionRole, which Lambda needs to
        // attach the function to its subnets
        actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
        resources: ['*'],
      }));
    }
    acknowledge(base, [{
      id: 'AwsSolutions-IAM5',
      reason: options.vpc
        ? 'secretsmanager:GetRandomPassword and ec2:Describe* act on no resource (IAM supports only "*" for them); the ENI actions are those of '
          + 'AWSLambdaVPCAccessExecutionRole, which Lambda performs on the function\'s behalf in the subnets the function is configured with'
        : 'secretsmanager:GetRandomPassword acts on no resource (IAM supports only "*" for it); it returns random bytes and reads nothing',
      appliesTo: ['Resource::*'],
    }]);

    this.function = new lambda.Function(this, 'Resource', {
      description: `Rotates Secrets Manager secrets with the ${strategy.name} strategy (cdk-security-patterns rotation engine)`,
      runtime: options.runtime,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(assetDir),
      role: this.role,
      timeout: Duration.minutes(1),
      memorySize: 256,
      // Outside the strategy's environment, which names the function: the bundle ships its source
      // map, so a failure's stack trace in the log names the TypeScript file and line.
      environment: { ...strategy._environment(), NODE_OPTIONS: '--enable-source-maps' },
      logGroup: this.logGroup,
      vpc: options.vpc,
      vpcSubnets: options.vpc ? options.vpcSubnets : undefined,
      securityGroups: this.securityGroup ? [this.securityGroup] : undefined,
    });
    // Lambda checks at creation that the role may manage ENIs, and the first rotation runs right away
    this.function.node.addDependency(base);
    const functionAcks = [
      {
        id: 'NIST.800.53.R5-LambdaConcurrency',
        reason: 'Reserved concurrency would take capacity from the account\'s unreserved pool and fails to deploy in accounts at the default quota; '
          + 'only Secrets Manager of this account may invoke the function, a few times per rotation',
      },
      { id: 'HIPAA.Security-LambdaConcurrency', reason: 'See NIST.800.53.R5-LambdaConcurrency: only Secrets Manager of this account invokes it, a few times per rotation' },
      { id: 'PCI.DSS.321-LambdaConcurrency', reason: 'See NIST.800.53.R5-LambdaConcurrency: only Secrets Manager of this account invokes it, a few times per rotation' },
      {
        id: 'NIST.800.53.R5-LambdaDLQ',
        reason: 'Secrets Manager invokes rotation functions synchronously, so a dead-letter queue (async invocations only) would never receive anything; '
          + 'failed rotations raise the RotationFailed event that SecretAlerts reports',
      },
      { id: 'HIPAA.Security-LambdaDLQ', reason: 'See NIST.800.53.R5-LambdaDLQ: synchronous invocations never reach a dead-letter queue' },
      { id: 'PCI.DSS.321-LambdaDLQ', reason: 'See NIST.800.53.R5-LambdaDLQ: synchronous invocations never reach a dead-letter queue' },
    ];
    if (!options.vpc && strategy._isDatabase) {
      // no acknowledgement: a database function outside a VPC is a finding the user must own
      Annotations.of(this).addWarningV2('cdk-security-patterns:rotation-outside-vpc',
        `The ${strategy.name} rotation function runs outside a VPC, so it reaches only databases with public endpoints; `
        + 'pass vpc (and database) to run it next to the database');
    }
    if (!options.vpc && !strategy._isDatabase) {
      const reason = `The ${strategy.name} strategy only calls the Secrets Manager API (no database), so it needs no VPC; database strategies require a VPC`;
      functionAcks.push(
        { id: 'NIST.800.53.R5-LambdaInsideVPC', reason },
        { id: 'HIPAA.Security-LambdaInsideVPC', reason },
        { id: 'PCI.DSS.321-LambdaInsideVPC', reason },
        { id: 'lambda_inside_vpc_check', reason },
      );
    }
    acknowledge(this.function, functionAcks);

    this.invokePermission = allowInvokeBySecretsManager(this.function, stack)!;

    if (options.vpc) {
      const securityGroup = this.securityGroup!;
      if (options.secretsManagerEndpoint) {
        this.endpoint = secretsManagerEndpoint(stack, options.vpc, options.vpcSubnets);
        // The egress rule is inline (to the VPC's range, where the endpoint is): an SG-to-SG rule would be
        // a separate resource, and a group whose inline egress list is empty keeps EC2's allow-all default.
        securityGroup.addEgressRule(ec2.Peer.ipv4(options.vpc.vpcCidrBlock), ec2.Port.tcp(443), 'Secrets Manager API through the interface endpoint');
        for (const endpointGroup of this.endpoint.connections.securityGroups) {
          endpointGroup.addIngressRule(securityGroup, ec2.Port.tcp(443), `Secrets Manager API for the ${strategy.name} rotation function`);
        }
        this.function.node.addDependency(this.endpoint);
      } else {
        // through a NAT gateway or an interface endpoint created elsewhere
        securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'Secrets Manager API over HTTPS');
      }
    }
  }

  /** Fails when `options` ask this function for another runtime than it has: one function runs on one runtime. */
  private checkRuntime(options: SharedRotationFunctionOptions): void {
    const runtime = this.function.runtime;
    if (options.runtime.name === runtime.name) return;
    throw new Error(`RotatingSecret ${options.requestedBy.node.path}: rotationFunctionRuntime is ${options.runtime.name}, but ${this.firstRequest.node.path} `
      + `shares the same ${options.strategy.name} rotation function (${this.node.path}) and runs it on ${runtime.name}; one function has one runtime, `
      + `so give every ${options.strategy.name} secret of the stack with the same placement the same rotationFunctionRuntime (or leave it out on all of them for the default)`);
  }

  /**
   * Lets the role reach one more secret (and its key, and the master secret of alternating users).
   * Returns the policy that holds it, so the rotation schedule can wait for it.
   */
  public addSecret(access: RotatedSecretAccess): IDependable {
    const policy = this.currentPolicy();
    policy.add(access);
    return policy.policy;
  }

  /** Opens the database's security group to the function on the database port. */
  public connectTo(target: DatabaseTarget): void {
    if (this.connected.has(target.connections)) return;
    this.connected.add(target.connections);
    const port = Token.isUnresolved(target._ingressPort) && target.connections.defaultPort ? target.connections.defaultPort : ec2.Port.tcp(target._ingressPort);
    this.function.connections.allowTo(target, port, `rotation of the database's secrets (${this.node.id})`);
  }

  private currentPolicy(): SecretsPolicy {
    const last = this.policies[this.policies.length - 1];
    if (last && last.count < SECRETS_PER_POLICY) return last;
    const n = this.policies.length + 1;
    if (n === MANAGED_POLICIES_PER_ROLE) {
      Annotations.of(this).addWarningV2('cdk-security-patterns:rotation-policy-quota',
        `More than ${(MANAGED_POLICIES_PER_ROLE - 1) * SECRETS_PER_POLICY} secrets use this rotation function: its role needs more than `
        + `${MANAGED_POLICIES_PER_ROLE} managed policies, IAM's default quota. Raise the quota "Managed policies per role" or split the secrets across stacks.`);
    }
    const policy = new SecretsPolicy(this, `SecretsPolicy${n}`, this.role, Stack.of(this).region);
    this.policies.push(policy);
    return policy;
  }
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

/** One customer-managed policy with the ARNs of up to SECRETS_PER_POLICY secrets. */
class SecretsPolicy {
  public readonly policy: iam.ManagedPolicy;
  public count = 0;
  private readonly seen = new Set<string>();
  private readonly statements = new Map<StatementKind, iam.PolicyStatement>();

  constructor(scope: Construct, id: string, role: iam.IRole, private readonly region: string) {
    const secrets = new iam.PolicyStatement(statementProps('secrets', region));
    this.statements.set('secrets', secrets);
    this.policy = new iam.ManagedPolicy(scope, id, {
      roles: [role],
      description: 'The secrets this rotation function rotates, and their keys',
      statements: [secrets],
    });
  }

  public add(access: RotatedSecretAccess): void {
    // a replica key's statement is about as long as a secret's ARNs: count it like one more secret
    this.count += 1 + (access.replicaKeys?.length ?? 0);
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

/** One Secrets Manager interface endpoint per VPC and stack: a second one with private DNS would clash. */
function secretsManagerEndpoint(stack: Stack, vpc: ec2.IVpc, subnets?: ec2.SubnetSelection): ec2.InterfaceVpcEndpoint {
  const id = `SecretsManagerEndpoint${createHash('sha256').update(vpc.node.path).digest('hex').slice(0, 8)}`;
  const existing = stack.node.tryFindChild(id);
  if (existing instanceof ec2.InterfaceVpcEndpoint) return existing;
  return new ec2.InterfaceVpcEndpoint(stack, id, {
    vpc,
    service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
    subnets,
    privateDnsEnabled: true,
    // only the rotation functions (and whoever is added later) may connect
    open: false,
  });
}
