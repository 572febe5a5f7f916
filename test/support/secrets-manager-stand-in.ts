/**
 * A Secrets Manager stand-in served over HTTP on 127.0.0.1. It speaks the service's JSON protocol
 * (awsJson1_1: POST /, `X-Amz-Target: secretsmanager.<Operation>`), so the real
 * @aws-sdk/client-secrets-manager client talks to it through AWS_ENDPOINT_URL_SECRETS_MANAGER
 * (or an explicit endpoint) with dummy credentials; signatures are not checked.
 *
 * It models what rotation depends on: versions with staging labels (a label is on one version at
 * a time; moving AWSCURRENT moves AWSPREVIOUS to the old current version), PutSecretValue
 * idempotent per ClientRequestToken, UpdateSecretVersionStage's RemoveFromVersionId rules,
 * DescribeSecret's VersionIdsToStages (labelled versions only), RotateSecret creating an empty
 * AWSPENDING version (and refusing while another rotation is pending), GetRandomPassword.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';
export const AWSPREVIOUS = 'AWSPREVIOUS';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';

interface Version {
  readonly id: string;
  /** undefined for the empty version RotateSecret creates before createSecret fills it. */
  secretString?: string;
  stages: Set<string>;
  readonly created: number;
}

interface StoredSecret {
  readonly name: string;
  readonly arn: string;
  description?: string;
  rotationEnabled: boolean;
  rotationLambdaArn?: string;
  versions: Map<string, Version>;
}

/** A rotation step invocation, as the service would send it to the rotation function. */
export interface RotationInvocation {
  readonly Step: string;
  readonly SecretId: string;
  readonly ClientRequestToken: string;
}

export interface StandInOptions {
  /**
   * When set, RotateSecret (with RotateImmediately not false) invokes this for the four steps in
   * order, in the background like the service; see `rotations`.
   */
  readonly rotationFunction?: (event: RotationInvocation) => Promise<unknown>;
}

export class ServiceError extends Error {
  constructor(public readonly type: string, message: string, public readonly status = 400) {
    super(message);
  }
}

export class SecretsManagerStandIn {
  /** Starts a stand-in on a free port of 127.0.0.1. */
  static async start(options: StandInOptions = {}): Promise<SecretsManagerStandIn> {
    const standIn = new SecretsManagerStandIn(options);
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    return standIn;
  }

  /** Every operation received, in order (names only). */
  public readonly calls: string[] = [];
  /** Results of background rotations started by RotateSecret (when a rotationFunction is set). */
  public readonly rotations: Promise<{ token: string; error?: unknown }>[] = [];
  private readonly secrets = new Map<string, StoredSecret>();
  private readonly queuedPasswords: string[] = [];
  private readonly server: Server;

  private constructor(private readonly options: StandInOptions) {
    // Keep-alive as the service offers it (stop() closes idle sockets). Not below ~2 s: Node's
    // agent drops a socket whose keep-alive hint leaves less than a second.
    this.server = createServer((req, res) => void this.serve(req, res));
    this.server.keepAliveTimeout = 5000;
  }

  get endpoint(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** A real SDK client pointed at this stand-in, with dummy credentials; destroy() it when done. */
  client(): SecretsManagerClient {
    return new SecretsManagerClient({ endpoint: this.endpoint, region: REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * Test hook: the next GetRandomPassword returns `password` (checked against the request's
   * exclusions, so a test cannot hand out what the service never would).
   */
  queueRandomPassword(password: string): void {
    this.queuedPasswords.push(password);
  }

  /** Test hook: every SecretString ever stored, for "no secret in the logs" checks. */
  allSecretStrings(): string[] {
    return [...this.secrets.values()].flatMap((s) => [...s.versions.values()].map((v) => v.secretString).filter((v): v is string => v !== undefined));
  }

  /** Test hook: VersionIdsToStages of a secret, including unlabelled (deprecated) versions as []. */
  stagesOf(secretId: string): Record<string, string[]> {
    const secret = this.find(secretId);
    return Object.fromEntries([...secret.versions.values()].map((v) => [v.id, [...v.stages].sort()]));
  }

  /** Test hook: the value at a stage, or undefined. */
  valueAt(secretId: string, stage: string): string | undefined {
    return this.labelled(this.find(secretId), stage)?.secretString;
  }

  /**
   * What the service does once finishSecret has succeeded: clear AWSPENDING from the version that
   * is now AWSCURRENT. Test drivers that play the service call this after a successful rotation.
   */
  completeRotation(secretId: string, token: string): void {
    const version = this.find(secretId).versions.get(token);
    if (version?.stages.has(AWSCURRENT)) version.stages.delete(AWSPENDING);
  }

  /** Handles one operation; public so the protocol-free behaviour can be tested too. */
  handle(operation: string, input: Record<string, any>): Record<string, unknown> {
    switch (operation) {
      case 'CreateSecret': return this.createSecret(input);
      case 'DescribeSecret': return this.describeSecret(input);
      case 'GetSecretValue': return this.getSecretValue(input);
      case 'PutSecretValue': return this.putSecretValue(input);
      case 'UpdateSecretVersionStage': return this.updateSecretVersionStage(input);
      case 'ListSecretVersionIds': return this.listSecretVersionIds(input);
      case 'RotateSecret': return this.rotateSecret(input);
      case 'GetRandomPassword': return this.getRandomPassword(input);
      case 'DeleteSecret': return this.deleteSecret(input);
      default: throw new ServiceError('UnknownOperationException', `operation ${operation} is not modelled by the stand-in`);
    }
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', resolve);
      req.on('error', reject);
    });
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('secretsmanager.') ? target.slice('secretsmanager.'.length) : '';
    let status = 200;
    let body: Record<string, unknown>;
    try {
      if (req.method !== 'POST' || !operation) throw new ServiceError('UnknownOperationException', 'expected POST / with X-Amz-Target: secretsmanager.<Operation>');
      this.calls.push(operation);
      const text = Buffer.concat(chunks).toString('utf8');
      body = this.handle(operation, text ? JSON.parse(text) : {});
    } catch (err) {
      const e = err instanceof ServiceError ? err : new ServiceError('InternalServiceError', String((err as Error).message), 500);
      status = e.status;
      body = { __type: e.type, message: e.message };
      res.setHeader('x-amzn-errortype', e.type);
    }
    const payload = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(payload), 'x-amzn-requestid': randomUUID() });
    res.end(payload);
  }

  private find(secretId: unknown): StoredSecret {
    if (typeof secretId !== 'string' || secretId === '') throw new ServiceError('InvalidParameterException', 'SecretId is required');
    const secret = this.secrets.get(secretId) ?? [...this.secrets.values()].find((s) => s.arn === secretId);
    if (!secret) throw new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  }

  private labelled(secret: StoredSecret, stage: string): Version | undefined {
    return [...secret.versions.values()].find((v) => v.stages.has(stage));
  }

  /** Attaches `stage` to `version`, taking it from wherever it was; AWSCURRENT drags AWSPREVIOUS along. */
  private attach(secret: StoredSecret, version: Version, stage: string): void {
    const holder = this.labelled(secret, stage);
    if (holder === version) return;
    holder?.stages.delete(stage);
    version.stages.add(stage);
    if (stage === AWSCURRENT && holder) {
      this.labelled(secret, AWSPREVIOUS)?.stages.delete(AWSPREVIOUS);
      holder.stages.add(AWSPREVIOUS);
    }
  }

  private createSecret(input: Record<string, any>): Record<string, unknown> {
    const name = input.Name;
    if (typeof name !== 'string' || name === '') throw new ServiceError('InvalidParameterException', 'Name is required');
    if (this.secrets.has(name)) throw new ServiceError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
    const suffix = Array.from({ length: 6 }, () => (LOWER + UPPER)[randomInt(52)]).join('');
    const secret: StoredSecret = {
      name, arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-${suffix}`,
      description: input.Description, rotationEnabled: false, versions: new Map(),
    };
    this.secrets.set(name, secret);
    if (input.SecretString !== undefined) {
      const version: Version = { id: input.ClientRequestToken ?? randomUUID(), secretString: input.SecretString, stages: new Set([AWSCURRENT]), created: Date.now() };
      secret.versions.set(version.id, version);
      return { ARN: secret.arn, Name: name, VersionId: version.id };
    }
    return { ARN: secret.arn, Name: name };
  }

  private describeSecret(input: Record<string, any>): Record<string, unknown> {
    const secret = this.find(input.SecretId);
    const versionIdsToStages: Record<string, string[]> = {};
    for (const v of secret.versions.values()) if (v.stages.size > 0) versionIdsToStages[v.id] = [...v.stages];
    return {
      ARN: secret.arn, Name: secret.name, Description: secret.description,
      RotationEnabled: secret.rotationEnabled, RotationLambdaARN: secret.rotationLambdaArn,
      VersionIdsToStages: versionIdsToStages,
    };
  }

  private getSecretValue(input: Record<string, any>): Record<string, unknown> {
    const secret = this.find(input.SecretId);
    const { VersionId: versionId, VersionStage: stage } = input;
    let version: Version | undefined;
    if (versionId !== undefined) {
      version = secret.versions.get(versionId);
      if (version && stage !== undefined && !version.stages.has(stage)) version = undefined;
    } else {
      version = this.labelled(secret, stage ?? AWSCURRENT);
    }
    if (!version || version.secretString === undefined) {
      throw new ServiceError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for ${versionId !== undefined ? `VersionId: ${versionId}` : ''}${versionId !== undefined && stage !== undefined ? ' and ' : ''}${stage !== undefined || versionId === undefined ? `staging label: ${stage ?? AWSCURRENT}` : ''}`);
    }
    return {
      ARN: secret.arn, Name: secret.name, VersionId: version.id, SecretString: version.secretString,
      VersionStages: [...version.stages], CreatedDate: version.created / 1000,
    };
  }

  private putSecretValue(input: Record<string, any>): Record<string, unknown> {
    const secret = this.find(input.SecretId);
    const token = input.ClientRequestToken;
    if (typeof token !== 'string' || token.length < 32 || token.length > 64) {
      throw new ServiceError('InvalidParameterException', 'ClientRequestToken must be 32 to 64 characters');
    }
    if (typeof input.SecretString !== 'string') throw new ServiceError('InvalidParameterException', 'SecretString is required (SecretBinary is not modelled)');
    const stages: string[] = input.VersionStages ?? [AWSCURRENT];
    let version = secret.versions.get(token);
    if (version && version.secretString !== undefined) {
      if (version.secretString !== input.SecretString) {
        throw new ServiceError('ResourceExistsException', `A version with VersionId ${token} already exists with a different value; ClientRequestToken must be unique per value.`);
      }
      // Same token, same value: the service ignores the repeat.
      return { ARN: secret.arn, Name: secret.name, VersionId: token, VersionStages: [...version.stages] };
    }
    if (!version) {
      version = { id: token, stages: new Set(), created: Date.now() };
      secret.versions.set(token, version);
    }
    version.secretString = input.SecretString;
    for (const stage of stages) this.attach(secret, version, stage);
    return { ARN: secret.arn, Name: secret.name, VersionId: token, VersionStages: [...version.stages] };
  }

  private updateSecretVersionStage(input: Record<string, any>): Record<string, unknown> {
    const secret = this.find(input.SecretId);
    const { VersionStage: stage, MoveToVersionId: moveTo, RemoveFromVersionId: removeFrom } = input;
    if (typeof stage !== 'string' || stage === '') throw new ServiceError('InvalidParameterException', 'VersionStage is required');
    const holder = this.labelled(secret, stage);
    if (removeFrom !== undefined && holder?.id !== removeFrom) {
      throw new ServiceError('InvalidParameterException', `The staging label ${stage} is not attached to version ${removeFrom}.`);
    }
    if (moveTo === undefined) {
      if (removeFrom === undefined) throw new ServiceError('InvalidParameterException', 'Give MoveToVersionId, RemoveFromVersionId or both');
      if (stage === AWSCURRENT) throw new ServiceError('InvalidParameterException', 'You can only move AWSCURRENT to another version, not remove it.');
      holder!.stages.delete(stage);
      return { ARN: secret.arn, Name: secret.name };
    }
    const target = secret.versions.get(moveTo);
    if (!target) throw new ServiceError('ResourceNotFoundException', `Secrets Manager can't find the specified secret version: ${moveTo}`);
    if (holder && holder !== target && removeFrom === undefined) {
      throw new ServiceError('InvalidParameterException', `The staging label ${stage} is currently attached to version ${holder.id}, so you must explicitly reference that version in RemoveFromVersionId.`);
    }
    this.attach(secret, target, stage);
    return { ARN: secret.arn, Name: secret.name };
  }

  private listSecretVersionIds(input: Record<string, any>): Record<string, unknown> {
    const secret = this.find(input.SecretId);
    return {
      ARN: secret.arn, Name: secret.name,
      Versions: [...secret.versions.values()]
        .filter((v) => input.IncludeDeprecated || v.stages.size > 0)
        .map((v) => ({ VersionId: v.id, VersionStages: [...v.stages], CreatedDate: v.created / 1000 })),
    };
  }

  private rotateSecret(input: Record<string, any>): Record<string, unknown> {
    const secret = this.find(input.SecretId);
    const pending = this.labelled(secret, AWSPENDING);
    const current = this.labelled(secret, AWSCURRENT);
    if (pending && pending !== current) {
      throw new ServiceError('InvalidRequestException', 'A previous rotation isn\'t complete. That rotation will be reattempted.');
    }
    if (input.RotationLambdaARN) secret.rotationLambdaArn = input.RotationLambdaARN;
    secret.rotationEnabled = true;
    if (input.RotateImmediately === false) return { ARN: secret.arn, Name: secret.name };
    const token: string = input.ClientRequestToken ?? randomUUID();
    if (secret.versions.has(token)) throw new ServiceError('ResourceExistsException', `A version with VersionId ${token} already exists.`);
    // The service creates the version first, empty and AWSPENDING; createSecret fills it.
    const version: Version = { id: token, stages: new Set(), created: Date.now() };
    secret.versions.set(token, version);
    this.attach(secret, version, AWSPENDING);
    if (this.options.rotationFunction) {
      const fn = this.options.rotationFunction;
      this.rotations.push((async () => {
        try {
          for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
            await fn({ Step, SecretId: secret.arn, ClientRequestToken: token });
          }
          this.completeRotation(secret.arn, token);
          return { token };
        } catch (error) {
          return { token, error };
        }
      })());
    }
    return { ARN: secret.arn, Name: secret.name, VersionId: token };
  }

  private deleteSecret(input: Record<string, any>): Record<string, unknown> {
    const secret = this.find(input.SecretId);
    this.secrets.delete(secret.name);
    return { ARN: secret.arn, Name: secret.name, DeletionDate: Date.now() / 1000 };
  }

  private getRandomPassword(input: Record<string, any>): Record<string, unknown> {
    const length: number = input.PasswordLength ?? 32;
    if (!Number.isInteger(length) || length < 1 || length > 4096) throw new ServiceError('InvalidParameterException', 'PasswordLength must be from 1 to 4096');
    const exclude = new Set<string>([...(input.ExcludeCharacters ?? '')]);
    const classes = [
      input.ExcludeLowercase ? '' : LOWER,
      input.ExcludeUppercase ? '' : UPPER,
      input.ExcludeNumbers ? '' : DIGITS,
      input.ExcludePunctuation ? '' : PUNCTUATION,
      input.IncludeSpace ? ' ' : '',
    ].map((chars) => [...chars].filter((c) => !exclude.has(c)).join('')).filter((chars) => chars.length > 0);
    const all = classes.join('');
    if (all.length === 0) throw new ServiceError('InvalidParameterException', 'Every character is excluded');

    const queued = this.queuedPasswords.shift();
    if (queued !== undefined) {
      const bad = [...queued].filter((c) => !all.includes(c));
      if (bad.length > 0) throw new ServiceError('InvalidRequestException', `queued test password holds characters this request excludes: ${JSON.stringify(bad.join(''))}`);
      return { RandomPassword: queued };
    }
    const requireEach = input.RequireEachIncludedType ?? true;
    for (;;) {
      const password = Array.from({ length }, () => all[randomInt(all.length)]).join('');
      if (!requireEach || length < classes.length || classes.every((chars) => [...password].some((c) => chars.includes(c)))) {
        return { RandomPassword: password };
      }
    }
  }
}
