import { RotationError } from '../engine/errors';
import type { StepContext, Strategy } from '../engine/handler';
import type { SecretVersion } from '../engine/secrets-manager';
import { parseDatabaseSecret, parseMasterSecret, portOf, type DatabaseSecret } from '../engine/secret-json';
import { STAGE_CURRENT, STAGE_PENDING, STAGE_PREVIOUS } from '../engine/types';
import { login, release, using } from './connect';
import type { DatabaseDriver } from './driver';

const CLONE_SUFFIX = '_clone';

type Parse = (ctx: StepContext, version: SecretVersion, stage: string) => DatabaseSecret;

/** Parses and checks one version of the user's secret; alternating users also need `masterarn`. */
function secretParser<C>(driver: DatabaseDriver<C>, requireMasterArn: boolean): Parse {
  return (ctx, version, stage) => {
    const secret = parseDatabaseSecret(version.secretString, `the ${stage} value of secret ${ctx.secretId}`, { engines: driver.engines, requireMasterArn });
    ctx.remember(secret.password);
    return secret;
  };
}

/** AWSPENDING and AWSCURRENT, read together, as setSecret needs both. */
async function pendingAndCurrent(ctx: StepContext, parse: Parse): Promise<[DatabaseSecret, DatabaseSecret]> {
  const [pending, current] = await Promise.all([ctx.readPending(), ctx.readCurrent()]);
  return [parse(ctx, pending, STAGE_PENDING), parse(ctx, current, STAGE_CURRENT)];
}

function sameServer<C>(driver: DatabaseDriver<C>, a: { host?: unknown; port?: unknown }, b: { host?: unknown; port?: unknown }): boolean {
  return a.host === b.host && (portOf(a.port) ?? driver.defaultPort) === (portOf(b.port) ?? driver.defaultPort);
}

/**
 * Single user: the user changes its own password (ALTER USER). Between setSecret and
 * finishSecret only AWSPENDING logs in, which is inherent to this scheme; use alternating users
 * where clients must never see a rejected password.
 */
export function singleUser<C>(driver: DatabaseDriver<C>): Strategy {
  const parse = secretParser(driver, false);
  return {
    async buildPending(ctx, current) {
      const secret = parse(ctx, current, STAGE_CURRENT);
      return JSON.stringify({ ...secret, password: await ctx.newPassword() });
    },
    checkPending(ctx, pending) {
      parse(ctx, pending, STAGE_PENDING);
    },
    async setSecret(ctx) {
      const [pending, current] = await pendingAndCurrent(ctx, parse);
      if (pending.username !== current.username || !sameServer(driver, pending, current)) {
        throw new RotationError('AWSPENDING names another user or server than AWSCURRENT; single-user rotation only changes the password of the AWSCURRENT user');
      }
      driver.prepare?.(pending.password);
      // AWSCURRENT first: on a first attempt it is the one that works, saving a login. Setting
      // the AWSPENDING password again on a retry is harmless.
      let conn = await login(ctx, driver, current, STAGE_CURRENT);
      if (!conn) {
        // Already set by an earlier attempt?
        const asPending = await login(ctx, driver, pending, STAGE_PENDING);
        if (asPending) {
          release(driver, asPending);
          ctx.log.info('already-set', 'AWSPENDING already logs in; nothing to change');
          return;
        }
        // AWSCURRENT can stop working when the database was restored from a backup: try AWSPREVIOUS.
        const previousVersion = await ctx.read(STAGE_PREVIOUS);
        if (previousVersion) {
          const previous = parse(ctx, previousVersion, STAGE_PREVIOUS);
          if (previous.username !== current.username) {
            throw new RotationError('AWSPREVIOUS names another user than AWSCURRENT; refusing to log in with it');
          }
          // Connection details (host, port, TLS) come from AWSCURRENT, only the password from AWSPREVIOUS.
          conn = await login(ctx, driver, { ...current, password: previous.password }, STAGE_PREVIOUS);
        }
      }
      if (!conn) {
        throw new RotationError(`the database rejected the passwords of AWSPENDING, AWSCURRENT and AWSPREVIOUS for the user of secret ${ctx.secretId}`);
      }
      await using(driver, conn, (c) => driver.changeOwnPassword(c, pending.password));
      ctx.log.info('password-set', 'set the AWSPENDING password on the database user');
    },
    async testSecret(ctx) {
      await testPending(ctx, driver, parse(ctx, await ctx.readPending(), STAGE_PENDING));
    },
  };
}

/**
 * Alternating users: each rotation sets a new password on the user that is not AWSCURRENT
 * (`<user>` and `<user>_clone`), logged in as the master user named by `masterarn`, so
 * AWSCURRENT keeps working throughout.
 */
export function alternatingUsers<C>(driver: DatabaseDriver<C>): Strategy {
  const parse = secretParser(driver, true);
  const alternate = (username: string, engine: string): string => {
    if (username.endsWith(CLONE_SUFFIX)) return username.slice(0, -CLONE_SUFFIX.length);
    const clone = username + CLONE_SUFFIX;
    const max = driver.maxUsernameLength(engine);
    if (Buffer.byteLength(clone) > max) {
      throw new RotationError(`the user name with '${CLONE_SUFFIX}' appended would be longer than ${max} bytes, the ${driver.label} limit; use a shorter user name`);
    }
    return clone;
  };
  return {
    async buildPending(ctx, current) {
      const secret = parse(ctx, current, STAGE_CURRENT);
      return JSON.stringify({ ...secret, username: alternate(secret.username, secret.engine), password: await ctx.newPassword() });
    },
    checkPending(ctx, pending) {
      parse(ctx, pending, STAGE_PENDING);
    },
    async setSecret(ctx) {
      const [pending, current] = await pendingAndCurrent(ctx, parse);
      if (pending.username !== alternate(current.username, current.engine) || !sameServer(driver, pending, current)) {
        throw new RotationError('AWSPENDING must name the alternate of the AWSCURRENT user on the same server; refusing to change another user');
      }
      // Two logins at once: AWSCURRENT, which must work before the master acts on its behalf
      // (confused-deputy guard) and whose session tells the driver which account's grants to
      // copy; and the master. Provisioning is idempotent, so a retry simply repeats it.
      driver.prepare?.(pending.password);
      const [currentLogin, masterLogin] = await Promise.allSettled([
        login(ctx, driver, current, STAGE_CURRENT),
        loginAsMaster(ctx, driver, current),
      ]);
      const currentConn = currentLogin.status === 'fulfilled' ? currentLogin.value : undefined;
      const masterConn = masterLogin.status === 'fulfilled' ? masterLogin.value : undefined;
      try {
        if (currentLogin.status === 'rejected') throw currentLogin.reason;
        if (!currentConn) {
          throw new RotationError(`the database rejected the AWSCURRENT password of secret ${ctx.secretId}; alternating-users rotation needs a working AWSCURRENT`);
        }
        if (masterLogin.status === 'rejected') throw masterLogin.reason;
        const outcome = await driver.provisionAlternate(masterConn!, currentConn, current.username, pending.username, pending.password);
        ctx.log.info(outcome === 'created' ? 'user-created' : 'password-set', outcome === 'created'
          ? 'created the alternate user with the grants of the AWSCURRENT user'
          : 'set the AWSPENDING password on the alternate user and refreshed its grants');
      } finally {
        release(driver, currentConn);
        release(driver, masterConn);
      }
    },
    async testSecret(ctx) {
      await testPending(ctx, driver, parse(ctx, await ctx.readPending(), STAGE_PENDING));
    },
  };
}

async function loginAsMaster<C>(ctx: StepContext, driver: DatabaseDriver<C>, current: DatabaseSecret): Promise<C> {
  const masterVersion = await ctx.store.get(current.masterarn!, STAGE_CURRENT);
  if (!masterVersion) throw new RotationError(`the master secret ${current.masterarn} named in 'masterarn' has no AWSCURRENT value`);
  ctx.remember(masterVersion.secretString);
  const master = parseMasterSecret(masterVersion.secretString, `the master secret ${current.masterarn}`, { engines: driver.engines });
  ctx.remember(master.password);
  if (master.host !== undefined && !sameServer(driver, master, current)) {
    throw new RotationError(`the master secret ${current.masterarn} is for another server than secret ${ctx.secretId}; use the master secret of the same database`);
  }
  // Connection details of the user's secret; credentials of the master.
  const conn = await login(ctx, driver, { ...current, username: master.username, password: master.password }, 'master');
  if (!conn) throw new RotationError(`the database rejected the password in the master secret ${current.masterarn}`);
  return conn;
}

async function testPending<C>(ctx: StepContext, driver: DatabaseDriver<C>, pending: DatabaseSecret): Promise<void> {
  const conn = await login(ctx, driver, pending, STAGE_PENDING);
  if (!conn) throw new RotationError(`the database rejected the AWSPENDING password of secret ${ctx.secretId}`);
  await using(driver, conn, (c) => driver.check(c));
  ctx.log.info('verified', 'AWSPENDING logs in and runs a query');
}
