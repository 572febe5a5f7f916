/**
 * Shared rig for rotation handler tests: a Secrets Manager stand-in the handler reaches through
 * AWS_ENDPOINT_URL_SECRETS_MANAGER with the real SDK client, a driver that plays the service
 * (RotateSecret, then the four steps), and a capture of everything the handler logs or throws.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { SecretsManagerStandIn } from '../support/secrets-manager-stand-in';

export const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type Step = (typeof STEPS)[number];
export type Handler = (event: { Step: string; SecretId: string; ClientRequestToken: string }) => Promise<void>;

/** Everything written to the console (the Lambda log) plus every error thrown to the runtime. */
export class LogCapture {
  public readonly lines: string[] = [];
  private spies: jest.SpyInstance[] = [];

  install(): void {
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      this.spies.push(jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        this.lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
      }));
    }
  }

  uninstall(): void {
    for (const spy of this.spies) spy.mockRestore();
    this.spies = [];
  }

  /** The Lambda runtime logs a thrown error's message and stack. */
  recordError(err: unknown): void {
    const e = err as Error;
    this.lines.push(`ERROR ${e?.name}: ${e?.message}\n${e?.stack ?? ''}`);
  }

  /** Parsed JSON log records. */
  records(): Record<string, any>[] {
    return jsonRecords(this.lines);
  }
}

/** The JSON object lines of a log (the handler's structured records). */
export function jsonRecords(lines: readonly string[]): Record<string, any>[] {
  return lines.flatMap((line) => {
    try {
      const value = JSON.parse(line);
      return typeof value === 'object' && value !== null ? [value] : [];
    } catch {
      return [];
    }
  });
}

/** The environment a handler needs to reach the stand-in, with dummy credentials. */
export function standInEnvironment(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDSTANDIN',
    AWS_SECRET_ACCESS_KEY: 'stand-in-secret-key',
  };
}

/** Runs `work` with `env` added to the handler's environment, then puts the environment back. */
export async function withEnv<T>(env: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await work();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/**
 * Waits for every start before reporting the first failure, so afterAll stops whatever did start
 * (a server still starting when Promise.all gave up would outlive the run).
 */
export async function startAll(starts: readonly Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(starts)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Passwords (and API keys) inside a stored secret string: all its string values of 8+ characters that are not metadata. */
export function secretValuesIn(secretString: string): string[] {
  try {
    const json = JSON.parse(secretString);
    if (typeof json === 'object' && json !== null) {
      return ['password', 'apiKey'].map((k) => json[k]).filter((v): v is string => typeof v === 'string' && v.length >= 8);
    }
  } catch {
    // not JSON: the whole string is the secret
  }
  return secretString.length >= 8 ? [secretString] : [];
}

/** The pieces a partial leak would show: every 10-character window of each secret. */
export function secretPieces(secrets: readonly string[], size = 10): string[] {
  const pieces = new Set<string>();
  for (const secret of secrets) {
    if (secret.length <= size) pieces.add(secret);
    else for (let i = 0; i + size <= secret.length; i++) pieces.add(secret.slice(i, i + size));
  }
  return [...pieces];
}

/** Lines holding a secret or a piece of one. */
export function linesWithSecrets(lines: readonly string[], secrets: readonly string[]): string[] {
  const pieces = secretPieces(secrets);
  return lines.filter((line) => pieces.some((piece) => line.includes(piece)));
}

export class RotationRig {
  standIn!: SecretsManagerStandIn;
  client!: SecretsManagerClient;
  readonly logs = new LogCapture();
  /** Secret values that tests put in place without the stand-in (e.g. master passwords). */
  readonly extraSecrets: string[] = [];

  /** `env` is added to the handler's environment for the whole run (e.g. REQUIRE_TLS=false for servers without TLS). */
  constructor(private readonly handler: Handler, private readonly strategy: string, private readonly env: Record<string, string> = {}) {}

  /** Call from beforeAll. */
  async start(): Promise<void> {
    this.standIn = await SecretsManagerStandIn.start();
    Object.assign(process.env, { ...standInEnvironment(this.standIn.endpoint), ROTATION_STRATEGY: this.strategy, ...this.env });
    this.client = this.standIn.client();
    this.logs.install();
  }

  /** Call from afterAll. */
  async stop(): Promise<void> {
    this.logs.uninstall();
    this.client?.destroy();
    await this.standIn?.stop();
  }

  async createSecret(name: string, value: string | Record<string, unknown>): Promise<string> {
    const out = await this.client.send(new CreateSecretCommand({
      Name: name, SecretString: typeof value === 'string' ? value : JSON.stringify(value),
    }));
    return out.ARN!;
  }

  async value(secretId: string, stage = 'AWSCURRENT'): Promise<string> {
    return (await this.client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }))).SecretString!;
  }

  async json(secretId: string, stage = 'AWSCURRENT'): Promise<Record<string, any>> {
    return JSON.parse(await this.value(secretId, stage));
  }

  async putValue(secretId: string, value: string | Record<string, unknown>, stages: string[] = ['AWSCURRENT']): Promise<string> {
    const token = randomUUID();
    await this.client.send(new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: token, SecretString: typeof value === 'string' ? value : JSON.stringify(value), VersionStages: stages }));
    return token;
  }

  /** What the service does on RotateSecret: a new empty AWSPENDING version; returns its token. */
  async startRotation(secretId: string, token: string = randomUUID()): Promise<string> {
    await this.client.send(new RotateSecretCommand({ SecretId: secretId, ClientRequestToken: token, RotateImmediately: true }));
    return token;
  }

  /** Drops AWSPENDING from a stuck rotation, as an operator would before starting afresh. */
  async cancelRotation(secretId: string, token: string): Promise<void> {
    await this.client.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: 'AWSPENDING', RemoveFromVersionId: token }));
  }

  /** Invokes one step like the service does; errors are recorded as the runtime would log them. */
  async invoke(step: string, secretId: string, token: string): Promise<void> {
    try {
      await this.handler({ Step: step, SecretId: secretId, ClientRequestToken: token });
    } catch (err) {
      this.logs.recordError(err);
      throw err;
    }
  }

  /**
   * Invokes `steps` in order. When finishSecret succeeds the service clears AWSPENDING, which
   * this does too unless `crash` says the service never heard back.
   */
  async runSteps(secretId: string, token: string, steps: readonly string[] = STEPS, options: { crash?: boolean } = {}): Promise<void> {
    for (const step of steps) await this.invoke(step, secretId, token);
    if (!options.crash && steps[steps.length - 1] === 'finishSecret') this.standIn.completeRotation(secretId, token);
  }

  /** A whole rotation; stops after `stopAfter` (a crash) when given. Returns the token. */
  async rotate(secretId: string, options: { stopAfter?: Step } = {}): Promise<string> {
    const token = await this.startRotation(secretId);
    const steps = options.stopAfter ? STEPS.slice(0, STEPS.indexOf(options.stopAfter) + 1) : STEPS;
    await this.runSteps(secretId, token, steps, { crash: options.stopAfter !== undefined });
    return token;
  }

  /** Every secret value this run has seen: all versions in the stand-in plus extras. */
  allSecretValues(): string[] {
    return [...new Set([...this.standIn.allSecretStrings().flatMap(secretValuesIn), ...this.extraSecrets])];
  }

  /**
   * Log lines that contain any secret value, or any 10-character piece of one (should be none),
   * each prefixed with the piece found, so a failure shows what matched.
   */
  leaks(): string[] {
    const pieces = secretPieces(this.allSecretValues());
    return this.logs.lines.flatMap((line) => {
      const piece = pieces.find((p) => line.includes(p));
      return piece === undefined ? [] : [`${JSON.stringify(piece)} in: ${line}`];
    });
  }
}

/** A unique, short, lower-case name for users and secrets within one test file. */
let counter = 0;
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}${counter}_${Math.random().toString(36).slice(2, 6)}`;
}
