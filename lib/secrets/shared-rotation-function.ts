import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Annotations, Duration, Lazy, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct, IDependable } from 'constructs';
import { acknowledge } from '../private/acknowledge';
import { SecureKey } from '../common/secure-key';
import { allowCloudWatchLogs } from '../private/cloudwatch-logs-key';
import { DatabaseTarget } from './database-target';
import { DEPLOY_TIME_VALUE_LENGTH, environmentSize, LAMBDA_ENVIRONMENT_LIMIT } from './private/environment-size';
import { allowInvokeBySecretsManager, RotatedSecretAccess, SecretsPolicies } from './private/rotation-access';
import { formatAllowedEndpoints, parseAllowedEndpoints, ROTATION_ENV, type DatabaseUserDeclaration } from './private/rotation-contract';
import { secretsManagerEndpoint } from './private/secrets-manager-endpoint';
import { RotationStrategy } from './rotation-strategy';

/** Where the shared function runs and what it does: secrets with equal options share one function. */
export interface SharedRotationFunctionOptions {
  readonly strategy: RotationStrategy;
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly secretsManagerEndpoint: boolean;
  /** An interface endpoint of the VPC to reach Secrets Manager through, created elsewhere. */
  readonly existingSecretsManagerEndpoint?: ec2.IInterfaceVpcEndpoint;
  /**
   * The runtime the function runs on. Not part of the function's identity: changing it updates the
   * function in place rather than replacing it (and its retained log group and key).
   */
  readonly runtime: lambda.Runtime;
  /** The construct that asks for the function, named when two of them ask for different runtimes. */
  readonly requestedBy: IConstruct;
  /** Names a function of its own for secrets whose password settings differ from the others'. */
  readonly group?: string;
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
    existing.checkSettings(options);
    return existing;
  }

  /**
   * Stable construct id: the strategy's name, the group, and outside the default placement a short
   * hash of where the function runs. Password settings are not part of it, so changing them
   * updates the function in place instead of replacing it (and orphaning its retained log group
   * and key).
   */
  private static idFor(options: SharedRotationFunctionOptions): string {
    const pascal = options.strategy.name.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('');
    let placement = '';
    if (options.vpc) {
      const fingerprint = JSON.stringify({
        vpc: options.vpc.node.path,
        subnets: options.vpc.selectSubnets(options.vpcSubnets).subnets.map((s) => s.node.path).sort(),
        endpoint: options.existingSecretsManagerEndpoint ? 'existing' : options.secretsManagerEndpoint,
      });
      placement = createHash('sha256').update(fingerprint).digest('hex').slice(0, 8);
    }
    return `SecretRotation${pascal}${options.group ?? ''}${placement}`;
  }

  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  public readonly securityGroup?: ec2.SecurityGroup;
  /** The Secrets Manager interface endpoint the function reaches the service through, if any. */
  public readonly endpoint?: ec2.IInterfaceVpcEndpoint;
  /** Secrets Manager may invoke the function (for secrets of this account and region only). */
  public readonly invokePermission: IDependable;

  private readonly policies: SecretsPolicies;
  private readonly connected = new Set<ec2.Connections>();
  /** `host:port` of every database target of the function's secrets (ALLOWED_DATABASE_ENDPOINTS). */
  private readonly endpoints: string[] = [];
  /** Paths of database secrets that name no database target: their endpoints cannot be pinned. */
  private readonly unpinned: string[] = [];
  /** DATABASE_USERS, by user name, with the secret that declared each. */
  private readonly users = new Map<string, { declaration: DatabaseUserDeclaration; by: string }>();
  /** The first construct that asked for the function, and so chose its runtime. */
  private readonly firstRequest: IConstruct;
  private readonly strategy: RotationStrategy;

  private constructor(scope: Construct, id: string, options: SharedRotationFunctionOptions) {
    super(scope, id);
    const stack = Stack.of(this);
    const strategy = options.strategy;
    this.firstRequest = options.requestedBy;
    this.strategy = strategy;
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

    this.policies = new SecretsPolicies(this, this.role);

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
    // Lambda refuses an environment over 4 KB only at deploy; the endpoints and users grow per secret
    this.node.addValidation({ validate: () => this.environmentSizeErrors(strategy) });
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
      if (options.secretsManagerEndpoint || options.existingSecretsManagerEndpoint) {
        this.endpoint = options.existingSecretsManagerEndpoint ?? secretsManagerEndpoint(options.vpc, options.vpcSubnets);
        // The egress rule is inline (to the VPC's range, where the endpoint is): an SG-to-SG rule would be
        // a separate resource, and a group whose inline egress list is empty keeps EC2's allow-all default.
        securityGroup.addEgressRule(ec2.Peer.ipv4(options.vpc.vpcCidrBlock), ec2.Port.tcp(443), 'Secrets Manager API through the interface endpoint');
        if (options.existingSecretsManagerEndpoint) {
          // the library's own endpoint admits the VPC's range; one made elsewhere is opened to the function
          options.existingSecretsManagerEndpoint.connections.allowFrom(securityGroup, ec2.Port.tcp(443), `Secrets Manager API for the ${strategy.name} rotation function`);
        }
        this.function.node.addDependency(this.endpoint);
      } else {
        // through a NAT gateway or an interface endpoint created elsewhere
        securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'Secrets Manager API over HTTPS');
      }
    }
  }

  /** Fails when `options` ask this function for other password settings than it has: one function generates one kind. */
  private checkSettings(options: SharedRotationFunctionOptions): void {
    const mine = this.strategy._environment();
    const theirs = options.strategy._environment();
    const differing = Object.keys({ ...mine, ...theirs }).filter((k) => mine[k] !== theirs[k]);
    if (differing.length === 0) return;
    throw new Error(`RotatingSecret ${options.requestedBy.node.path}: its ${options.strategy.name} rotation sets ${differing.map((k) => `${k}=${theirs[k]}`).join(', ')}, `
      + `but ${this.firstRequest.node.path} shares the same rotation function (${this.node.path}) with ${differing.map((k) => `${k}=${mine[k]}`).join(', ')}; `
      + 'one function generates one kind of password, so give both the same options, or give one of them rotationFunctionGroup (e.g. "LongKeys") for a function of its own');
  }

  /** Fails when `options` ask this function for another runtime than it has: one function runs on one runtime. */
  private checkRuntime(options: SharedRotationFunctionOptions): void {
    const runtime = this.function.runtime;
    if (options.runtime.name === runtime.name) return;
    throw new Error(`RotatingSecret ${options.requestedBy.node.path}: rotationFunctionRuntime is ${options.runtime.name}, but ${this.firstRequest.node.path} `
      + `shares the same ${options.strategy.name} rotation function (${this.node.path}) and runs it on ${runtime.name}; one function has one runtime, `
      + `so give every ${options.strategy.name} secret of the stack with the same placement the same rotationFunctionRuntime (or leave it out on all of them for the default)`);
  }

  /** One error when the function's environment exceeds Lambda's limit, naming the way out. */
  private environmentSizeErrors(strategy: RotationStrategy): string[] {
    const size = environmentSize(this.function);
    if (size.bytes <= LAMBDA_ENVIRONMENT_LIMIT) return [];
    const about = size.estimated ? 'about ' : '';
    const largest = size.variables.slice(0, 2).map((v) => `${v.name} ${v.bytes}`).join(', ');
    return [`RotatingSecret: the environment of the shared ${strategy.name} rotation function ${this.node.path} is ${about}${size.bytes} bytes, `
      + `over Lambda's limit of ${LAMBDA_ENVIRONMENT_LIMIT} bytes (4 KB, the JSON of all its variables)`
      + (size.estimated ? `, counting each endpoint address known only at deploy time as ${DEPLOY_TIME_VALUE_LENGTH} characters` : '')
      + `; largest in bytes: ${largest}. It lists the ${this.endpoints.length} database endpoints and ${this.users.size} declared users of every `
      + `${strategy.name} secret of the stack with the same placement; give each function fewer secrets: move some of them to another stack `
      + '(each stack has its own rotation function), or declare fewer users or grants'];
  }

  /**
   * Lets the role reach one more secret (and its key, and the master secret of alternating users).
   * Returns the policy that holds it, so the rotation schedule can wait for it.
   */
  public addSecret(access: RotatedSecretAccess): IDependable {
    return this.policies.add(access);
  }

  /**
   * Adds a secret's database side: the function may connect to its database target, and only to the
   * targets of its secrets (ALLOWED_DATABASE_ENDPOINTS, unless one of them names no target), and it
   * may create the secret's declared user on a first rotation (DATABASE_USERS).
   */
  public addDatabaseSecret(secret: IConstruct, options: { database?: DatabaseTarget; username?: string; strategy: RotationStrategy }): void {
    const { database, strategy } = options;
    if (database) this.connectTo(database);
    if (!strategy._isDatabase) return;
    if (database) {
      this.allowEndpoint(secret, database);
    } else {
      this.unpinned.push(secret.node.path);
      Annotations.of(secret).addWarningV2('cdk-security-patterns:rotation-endpoint-unpinned',
        `${secret.node.path} names no database, so its rotation function (${this.node.path}) cannot be limited to the databases of its secrets `
        + 'and logs in wherever each secret version names (its own endpoint only); pass database to pin the endpoints');
    }
    if (strategy._databaseUser) this.declareUser(secret, options.username, strategy);
  }

  private allowEndpoint(secret: IConstruct, target: DatabaseTarget): void {
    const host = target.host;
    const port = target.port;
    let entry: string;
    if (!Token.isUnresolved(host) && !Token.isUnresolved(port)) {
      entry = formatAllowedEndpoints([{ host, port }]);
      try {
        parseAllowedEndpoints(entry);
      } catch (err) {
        throw new Error(`RotatingSecret ${secret.node.path}: the database endpoint ${entry} is not one the rotation function can check: ${(err as Error).message}`);
      }
    } else {
      // an RDS endpoint address and port: Fn::Join at deploy time
      entry = `${host}:${Token.isUnresolved(port) ? Token.asString(port) : String(port)}`;
    }
    if (this.endpoints.includes(entry)) return;
    this.endpoints.push(entry);
    if (this.endpoints.length > 1) return;
    this.function.addEnvironment(ROTATION_ENV.ALLOWED_DATABASE_ENDPOINTS, Token.asString(Lazy.any({
      // one secret without a target means the list would lock it out: no list then (warned above)
      produce: () => (this.unpinned.length > 0 ? undefined : this.endpoints.join(',')),
    })));
  }

  private declareUser(secret: IConstruct, username: string | undefined, strategy: RotationStrategy): void {
    const where = `RotatingSecret ${secret.node.path}`;
    if (username === undefined) {
      throw new Error(`${where}: databaseUser declares the user a new secret is for, got no username; pass username (not with existingSecret: `
        + 'create that secret\'s user yourself, or drop databaseUser)');
    }
    const declaration = strategy._databaseUserDeclaration(username, `${where}: databaseUser`);
    if (!declaration) return;
    const existing = this.users.get(declaration.username);
    if (existing) {
      if (JSON.stringify(existing.declaration) === JSON.stringify(declaration)) return;
      throw new Error(`${where}: databaseUser declares ${declaration.username} differently from ${existing.by}, which shares the rotation function ${this.node.path}; `
        + 'declare one user the same way in both, or give them different usernames');
    }
    this.users.set(declaration.username, { declaration, by: secret.node.path });
    if (this.users.size > 1) return;
    this.function.addEnvironment(ROTATION_ENV.DATABASE_USERS, Lazy.string({
      produce: () => JSON.stringify([...this.users.values()].map((u) => u.declaration)),
    }));
  }

  /** Opens the database's security group to the function on the database port. */
  public connectTo(target: DatabaseTarget): void {
    if (this.connected.has(target.connections)) return;
    this.connected.add(target.connections);
    const port = Token.isUnresolved(target._ingressPort) && target.connections.defaultPort ? target.connections.defaultPort : ec2.Port.tcp(target._ingressPort);
    this.function.connections.allowTo(target, port, `rotation of the database's secrets (${this.node.id})`);
  }
}
