import { readConfig, type RotationConfig } from './config';
import { RotationError, describeError, withFramesOf } from './errors';
import { StepLogger } from './log';
import { SecretStore, type SecretVersion } from './secrets-manager';
import {
  STAGE_CURRENT, STAGE_PENDING, STEPS, type RotationEvent, type StepName, type StrategyName,
} from './types';

/** What a strategy gets for one step of one rotation. */
export class StepContext {
  /** Secret strings seen during this step; masked out of any error text as a last guard. */
  public readonly sensitive: string[] = [];

  constructor(
    public readonly secretId: string,
    public readonly token: string,
    public readonly config: RotationConfig,
    public readonly store: SecretStore,
    public readonly log: StepLogger,
    /** VersionIdsToStages as read at the start of this step. */
    public readonly versions: Record<string, string[]>,
    /** Reads (and a random password) started alongside DescribeSecret, keyed by `stage:versionId`. */
    private readonly prefetched: Prefetch = {},
  ) {}

  /** Remembers values that must never appear in a log or an error. */
  remember(...values: unknown[]): void {
    for (const value of values) if (typeof value === 'string' && value !== '') this.sensitive.push(value);
  }

  /** Reads a version of this secret by stage (and for AWSPENDING, by this rotation's token). */
  async read(stage: string, versionId?: string): Promise<SecretVersion | undefined> {
    const version = await (this.prefetched.reads?.get(readKey(stage, versionId)) ?? this.store.get(this.secretId, stage, versionId));
    if (version) this.remember(version.secretString);
    return version;
  }

  /** AWSPENDING of this rotation; an error if createSecret has not stored it. */
  async readPending(): Promise<SecretVersion> {
    const pending = await this.read(STAGE_PENDING, this.token);
    if (!pending) throw new RotationError(`version ${this.token} of secret ${this.secretId} has no AWSPENDING value yet; run createSecret first`);
    return pending;
  }

  async readCurrent(): Promise<SecretVersion> {
    const current = await this.read(STAGE_CURRENT);
    if (!current) throw new RotationError(`secret ${this.secretId} has no AWSCURRENT value to rotate from; give it an initial value first`);
    return current;
  }

  newPassword(): Promise<string> {
    const prefetched = this.prefetched.password;
    this.prefetched.password = undefined;
    return (prefetched ?? randomPassword(this.store, this.config)).then((password) => {
      this.remember(password);
      return password;
    });
  }
}

interface Prefetch {
  reads?: Map<string, Promise<SecretVersion | undefined>>;
  password?: Promise<string>;
}

const readKey = (stage: string, versionId?: string) => `${stage}:${versionId ?? ''}`;

function randomPassword(store: SecretStore, config: RotationConfig): Promise<string> {
  return store.randomPassword({ length: config.passwordLength, excludeCharacters: config.excludeCharacters, excludePunctuation: config.excludePunctuation });
}

/**
 * Starts the reads a step will need while DescribeSecret runs: each is a round trip to Secrets
 * Manager, and none has a side effect, so nothing is done before the stage checks pass.
 */
function prefetch(step: StepName, store: SecretStore, secretId: string, token: string, config: RotationConfig): Prefetch {
  if (step === 'finishSecret') return {};
  const reads = new Map<string, Promise<SecretVersion | undefined>>();
  const start = <T>(p: Promise<T>): Promise<T> => {
    p.catch(() => undefined); // consumed (or deliberately dropped) later; never an unhandled rejection
    return p;
  };
  reads.set(readKey(STAGE_PENDING, token), start(store.get(secretId, STAGE_PENDING, token)));
  if (step !== 'testSecret') reads.set(readKey(STAGE_CURRENT), start(store.get(secretId, STAGE_CURRENT)));
  return { reads, password: step === 'createSecret' ? start(randomPassword(store, config)) : undefined };
}

/** A way of rotating one kind of secret. createSecret and finishSecret are shared by all. */
export interface Strategy {
  /** Checks AWSCURRENT and returns the AWSPENDING SecretString to store. */
  buildPending(ctx: StepContext, current: SecretVersion): Promise<string>;
  /** Checks an AWSPENDING value that an earlier attempt stored. */
  checkPending(ctx: StepContext, pending: SecretVersion): void;
  /** Makes the downstream system accept AWSPENDING; must succeed when it already does. */
  setSecret(ctx: StepContext): Promise<void>;
  /** Proves AWSPENDING works downstream. */
  testSecret(ctx: StepContext): Promise<void>;
}

async function createSecret(ctx: StepContext, strategy: Strategy): Promise<void> {
  const [current, existing] = await Promise.all([ctx.readCurrent(), ctx.read(STAGE_PENDING, ctx.token)]);
  if (existing) {
    // A retry: keep what the first attempt stored, it may already be set downstream.
    strategy.checkPending(ctx, existing);
    ctx.log.info('exists', 'AWSPENDING value already stored for this token');
    return;
  }
  const pending = await strategy.buildPending(ctx, current);
  await ctx.store.putPending(ctx.secretId, ctx.token, pending);
  ctx.log.info('stored', 'stored a new AWSPENDING value');
}

async function finishSecret(ctx: StepContext): Promise<void> {
  const currentVersion = Object.entries(ctx.versions).find(([, stages]) => stages.includes(STAGE_CURRENT))?.[0];
  await ctx.store.promote(ctx.secretId, ctx.token, currentVersion);
  ctx.log.info('promoted', 'moved AWSCURRENT to this version; the old one is AWSPREVIOUS');
}

/**
 * Builds the Lambda handler for one bundle. It checks the event and the version's stages as AWS's
 * reference functions do, then runs the step through the configured strategy.
 */
export function createRotationHandler(bundle: string, strategies: Partial<Record<StrategyName, Strategy>>) {
  return async function handler(event: RotationEvent): Promise<void> {
    const started = Date.now();
    if (typeof event !== 'object' || event === null || typeof event.SecretId !== 'string' || typeof event.ClientRequestToken !== 'string' || typeof event.Step !== 'string') {
      throw new RotationError('the event must have string fields Step, SecretId and ClientRequestToken, as Secrets Manager sends them');
    }
    const { Step: step, SecretId: secretId, ClientRequestToken: token } = event;
    const config = readConfig();
    const strategy = strategies[config.strategy];
    if (!strategy) {
      throw new RotationError(`ROTATION_STRATEGY '${config.strategy}' is not handled by the ${bundle} bundle, which handles ${Object.keys(strategies).join(', ')}; deploy the bundle for that strategy`);
    }
    const log = new StepLogger({ step, secretArn: secretId, token, strategy: config.strategy });
    if (!(STEPS as readonly string[]).includes(step)) {
      log.error('failed', `unknown step; expected one of ${STEPS.join(', ')}`);
      throw new RotationError(`unknown step '${step}'; expected one of ${STEPS.join(', ')}`);
    }

    let ctx: StepContext | undefined;
    try {
      const store = new SecretStore();
      const early = prefetch(step as StepName, store, secretId, token, config);
      const meta = await store.describe(secretId);
      if (meta.rotationEnabled === false) {
        throw new RotationError(`secret ${secretId} is not enabled for rotation`);
      }
      const stages = meta.versions[token];
      if (!stages) {
        throw new RotationError(`version ${token} has no stage in secret ${secretId}, so it is not part of a rotation (a newer rotation may have replaced it)`);
      }
      if (stages.includes(STAGE_CURRENT)) {
        log.info('skipped', 'version is already AWSCURRENT; nothing to do', { durationMs: Date.now() - started });
        return;
      }
      if (!stages.includes(STAGE_PENDING)) {
        throw new RotationError(`version ${token} of secret ${secretId} is not AWSPENDING (stages: ${stages.join(', ') || 'none'})`);
      }
      ctx = new StepContext(secretId, token, config, store, log, meta.versions, early);
      switch (step as StepName) {
        case 'createSecret': await createSecret(ctx, strategy); break;
        case 'setSecret': await strategy.setSecret(ctx); break;
        case 'testSecret': await strategy.testSecret(ctx); break;
        case 'finishSecret': await finishSecret(ctx); break;
      }
      log.info('done', undefined, { durationMs: Date.now() - started });
    } catch (err) {
      const message = describeError(err, ctx?.sensitive);
      log.error('failed', message, { durationMs: Date.now() - started });
      // A fresh error: driver errors can carry the SQL text or connection options. It keeps the
      // original's frames, so the trace names the line that failed.
      throw withFramesOf(new RotationError(`${step} failed for ${secretId}: ${message}`), err);
    }
  };
}
