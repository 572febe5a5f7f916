import { CLONE_SUFFIX, ROTATION_ENV, type DatabaseUserDeclaration } from '../../../lib/secrets/private/rotation-contract';
import { RotationError } from '../engine/errors';
import type { StepContext, Strategy } from '../engine/handler';
import type { SecretVersion } from '../engine/secrets-manager';
import { parseDatabaseSecret, parseMasterSecret, portOf, type DatabaseSecret } from '../engine/secret-json';
import { STAGE_CURRENT, STAGE_PENDING, STAGE_PREVIOUS } from '../engine/types';
import {
  checkAllowed, describeEndpoint, endpointOf, login, release, sameEndpoint, sameServer, tlsOf, using, type Endpoint,
} from './connect';
import type { DatabaseDriver } from './driver';

type Parse = (ctx: StepContext, version: SecretVersion, stage: string) => DatabaseSecret;

/** A version of the user's secret with the endpoint its password belongs to. */
interface Credential {
  readonly secret: DatabaseSecret;
  readonly endpoint: Endpoint;
}

/** Parses and checks one version of the user's secret; alternating users also need `masterarn`. */
function secretParser<C>(driver: DatabaseDriver<C>, requireMasterArn: boolean): Parse {
  return (ctx, version, stage) => {
    const secret = parseDatabaseSecret(version.secretString, `the ${stage} value of secret ${ctx.secretId}`, { engines: driver.engines, requireMasterArn });
    ctx.remember(secret.password);
    return secret;
  };
}

function credential<C>(ctx: StepContext, driver: DatabaseDriver<C>, parse: Parse, version: SecretVersion, stage: string): Credential {
  const secret = parse(ctx, version, stage);
  return { secret, endpoint: endpointOf(ctx, driver, secret, `the ${stage} value of secret ${ctx.secretId}`) };
}

/** AWSPENDING and AWSCURRENT, read together, as setSecret needs both. */
async function pendingAndCurrent<C>(ctx: StepContext, driver: DatabaseDriver<C>, parse: Parse): Promise<[Credential, Credential]> {
  const [pending, current] = await Promise.all([ctx.readPending(), ctx.readCurrent()]);
  return [credential(ctx, driver, parse, pending, STAGE_PENDING), credential(ctx, driver, parse, current, STAGE_CURRENT)];
}

const loginAs = <C>(ctx: StepContext, driver: DatabaseDriver<C>, c: Credential, who: string) =>
  login(ctx, driver, c.endpoint, { username: c.secret.username, password: c.secret.password, database: c.secret.dbname }, who);

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
      const [pending, current] = await pendingAndCurrent(ctx, driver, parse);
      if (pending.secret.username !== current.secret.username || !sameEndpoint(pending.endpoint, current.endpoint)) {
        throw new RotationError('AWSPENDING names another user, server or TLS setting than AWSCURRENT; single-user rotation only changes the password of the AWSCURRENT user where it is');
      }
      driver.prepare?.(pending.secret.password);
      // AWSCURRENT first: on a first attempt it is the one that works, saving a login. Setting
      // the AWSPENDING password again on a retry is harmless.
      let conn = await loginAs(ctx, driver, current, STAGE_CURRENT);
      if (!conn) {
        // Already set by an earlier attempt?
        const asPending = await loginAs(ctx, driver, pending, STAGE_PENDING);
        if (asPending) {
          release(driver, asPending);
          ctx.log.info('already-set', 'AWSPENDING already logs in; nothing to change');
          return;
        }
        // AWSCURRENT can stop working when the database was restored from a backup: try
        // AWSPREVIOUS, at the endpoint recorded with it, and only if that is where AWSPENDING goes.
        // Whoever wrote AWSCURRENT (and so AWSPENDING) must not learn AWSPREVIOUS's password.
        const previousVersion = await ctx.read(STAGE_PREVIOUS);
        if (previousVersion) {
          const previous = credential(ctx, driver, parse, previousVersion, STAGE_PREVIOUS);
          if (previous.secret.username !== pending.secret.username) {
            throw new RotationError('AWSCURRENT does not log in, and AWSPREVIOUS names another user than AWSPENDING; refusing to log in with AWSPREVIOUS');
          }
          if (!sameEndpoint(previous.endpoint, pending.endpoint)) {
            throw new RotationError(`AWSCURRENT does not log in, and AWSPREVIOUS is for ${describeEndpoint(previous.endpoint)}, not ${describeEndpoint(pending.endpoint)} `
              + 'where AWSPENDING goes; refusing to send the AWSPREVIOUS password anywhere but its own server (if the database moved, put its new endpoint in a new secret value by hand)');
          }
          conn = await loginAs(ctx, driver, previous, STAGE_PREVIOUS);
        }
      }
      if (!conn) {
        throw new RotationError(`the database rejected the passwords of AWSPENDING, AWSCURRENT and AWSPREVIOUS for the user of secret ${ctx.secretId}`);
      }
      await using(driver, conn, (c) => driver.changeOwnPassword(c, pending.secret.password));
      ctx.log.info('password-set', 'set the AWSPENDING password on the database user');
    },
    async testSecret(ctx) {
      await testPending(ctx, driver, credential(ctx, driver, parse, await ctx.readPending(), STAGE_PENDING));
    },
  };
}

/**
 * Alternating users: each rotation sets a new password on the user that is not AWSCURRENT
 * (`<user>` and `<user>_clone`), logged in as the master user named by `masterarn`, so
 * AWSCURRENT keeps working throughout.
 */
export function alternatingUsers<C, S>(driver: DatabaseDriver<C, S>): Strategy {
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
      const [pending, current] = await pendingAndCurrent(ctx, driver, parse);
      // Reading the master secret sends nothing to any database, so it runs alongside.
      const masterVersion = ctx.store.get(current.secret.masterarn!, STAGE_CURRENT);
      masterVersion.catch(() => undefined);
      if (pending.secret.username !== alternate(current.secret.username, current.secret.engine) || !sameEndpoint(pending.endpoint, current.endpoint)) {
        throw new RotationError('AWSPENDING must name the alternate of the AWSCURRENT user on the same server with the same TLS setting; refusing to change another user');
      }
      const base = current.secret.username.endsWith(CLONE_SUFFIX) ? pending.secret.username : current.secret.username;
      checkAllowed(ctx.config, current.endpoint, `the ${STAGE_CURRENT} value of secret ${ctx.secretId}`);
      // Reading and checking the master secret sends nothing to any database, so it runs while
      // AWSCURRENT logs in; then the master's connection is opened (to the endpoint just
      // checked), but its password is held back until the AWSCURRENT check below has passed.
      const check = gate();
      const masterChecked = masterCredential(ctx, driver, current, masterVersion);
      const masterLogin = masterChecked.then((m) => login(ctx, driver, m.endpoint, { username: m.username, password: m.password, database: current.secret.dbname }, 'master', check.passed));
      masterLogin.catch(() => undefined);
      driver.prepare?.(pending.secret.password);

      // AWSCURRENT must log in before the master acts on its behalf (confused-deputy guard), and
      // its session tells the driver which account is the user's. The master authenticates only
      // after this: its password never goes out on the strength of an unchecked secret.
      let currentConn: C | undefined;
      let masterConn: C | undefined;
      try {
        currentConn = await loginAs(ctx, driver, current, STAGE_CURRENT);
        // A master secret that may not be used says more than a rejected AWSCURRENT.
        await masterChecked;
        let declaration: DatabaseUserDeclaration | undefined;
        if (!currentConn) {
          declaration = current.secret.username === base ? ctx.config.databaseUsers.find((u) => u.username === base) : undefined;
          if (!declaration) {
            throw new RotationError(`the database rejected the AWSCURRENT password of secret ${ctx.secretId}; alternating-users rotation needs a working AWSCURRENT `
              + `(if the user does not exist yet, declare it in ${ROTATION_ENV.DATABASE_USERS} so that the first rotation creates it)`);
          }
        }
        check.pass();
        const users = {
          base, clone: base + CLONE_SUFFIX, pending: pending.secret.username, password: pending.secret.password, declaration,
          database: typeof current.secret.dbname === 'string' && current.secret.dbname !== '' ? current.secret.dbname : driver.defaultDatabase,
        };
        // While the master authenticates, AWSCURRENT's session reads what the driver will need.
        const [survey, master] = await Promise.allSettled([currentConn && driver.survey ? driver.survey(currentConn, users) : Promise.resolve(undefined), masterLogin]);
        masterConn = master.status === 'fulfilled' ? master.value : undefined;
        if (master.status === 'rejected') throw master.reason;
        if (!masterConn) throw new RotationError(`the database rejected the password in the master secret ${current.secret.masterarn}`);
        if (survey.status === 'rejected') throw survey.reason;
        if (declaration) {
          await checkFirstRotation(ctx, driver, masterConn, declaration, current, pending);
          ctx.log.info('first-rotation', `AWSCURRENT does not log in and ${ROTATION_ENV.DATABASE_USERS} declares the user: creating or completing it`);
        }
        const outcome = await driver.provisionAlternate(masterConn, currentConn, users, survey.value);
        ctx.log.info(outcome === 'created' ? 'user-created' : 'password-set', outcome === 'created'
          ? 'created the alternate user with the privileges of the base user'
          : 'set the AWSPENDING password on the alternate user and made its privileges those of the base user');
      } catch (err) {
        // The held master connection is abandoned without its password ever being sent.
        check.fail();
        masterLogin.then((conn) => release(driver, conn), () => undefined);
        throw err;
      } finally {
        release(driver, currentConn);
        release(driver, masterConn);
      }
    },
    async testSecret(ctx) {
      await testPending(ctx, driver, credential(ctx, driver, parse, await ctx.readPending(), STAGE_PENDING));
    },
  };
}

/** A promise that stays pending until pass() or fail() (rejecting with nothing anyone sees). */
function gate(): { passed: Promise<void>; pass(): void; fail(): void } {
  let pass!: () => void;
  let fail!: (err: Error) => void;
  const passed = new Promise<void>((resolve, reject) => { pass = resolve; fail = reject; });
  passed.catch(() => undefined);
  return { passed, pass, fail: () => fail(new RotationError('the AWSCURRENT check did not pass')) };
}

/**
 * On a first rotation the base user may only be created, never taken over: if it exists, it must
 * be one an earlier attempt of this rotation created, which logs in with AWSPENDING's password
 * (only this secret's readers know it).
 */
async function checkFirstRotation<C>(ctx: StepContext, driver: DatabaseDriver<C>, master: C, declaration: DatabaseUserDeclaration, current: Credential, pending: Credential): Promise<void> {
  if (!(await driver.userExists(master, declaration.username, declaration.accountHost))) return;
  const probe = await login(ctx, driver, current.endpoint, { username: declaration.username, password: pending.secret.password, database: current.secret.dbname }, 'AWSPENDING (as the base user)');
  if (!probe) {
    throw new RotationError(`the database rejected the AWSCURRENT password of secret ${ctx.secretId}, and its user exists; refusing to act on a user whose password the secret does not hold `
      + '(confused-deputy guard): put the user\'s working password in AWSCURRENT, or drop the user to have the first rotation create it');
  }
  release(driver, probe);
}

/** The master credentials and the endpoint they may be sent to; checked before any connection. */
async function masterCredential<C>(ctx: StepContext, driver: DatabaseDriver<C>, current: Credential, version: Promise<SecretVersion | undefined>):
Promise<{ username: string; password: string; endpoint: Endpoint }> {
  const arn = current.secret.masterarn!;
  const masterVersion = await version;
  if (!masterVersion) throw new RotationError(`the master secret ${arn} named in 'masterarn' has no AWSCURRENT value`);
  ctx.remember(masterVersion.secretString);
  const what = `the master secret ${arn}`;
  const master = parseMasterSecret(masterVersion.secretString, what, { engines: driver.engines });
  ctx.remember(master.password);
  let endpoint: Endpoint;
  if (typeof master.host === 'string' && master.host.trim() !== '') {
    // The master password goes to the server recorded with it, which must be the user's.
    endpoint = endpointOf(ctx, driver, master, what);
    if (!sameServer(endpoint, current.endpoint)) {
      throw new RotationError(`${what} is for ${describeEndpoint(endpoint)}, another server than secret ${ctx.secretId} (${describeEndpoint(current.endpoint)}); use the master secret of the same database`);
    }
  } else {
    // An RDS-managed master secret holds only the credentials. The user's secret names the
    // server, but anyone who may write that secret could name their own: only a server the
    // function's configuration lists (set by whoever deployed it) may receive the master password.
    if (!ctx.config.allowedEndpoints) {
      throw new RotationError(`${what} names no host, and ${ROTATION_ENV.ALLOWED_DATABASE_ENDPOINTS} is not set, so nothing trusted says which server may receive the master password; `
        + `add host and port to the master secret, or set ${ROTATION_ENV.ALLOWED_DATABASE_ENDPOINTS} to the database's host:port`);
    }
    if (master.port !== undefined && portOf(master.port) !== current.endpoint.port) {
      throw new RotationError(`${what} names port ${String(master.port)}, but secret ${ctx.secretId} is for ${describeEndpoint(current.endpoint)}; use the master secret of the same database`);
    }
    endpoint = { host: current.endpoint.host, port: current.endpoint.port, tls: tlsOf(ctx.config, master, what) };
  }
  checkAllowed(ctx.config, endpoint, what);
  return { username: master.username, password: master.password, endpoint };
}

async function testPending<C>(ctx: StepContext, driver: DatabaseDriver<C>, pending: Credential): Promise<void> {
  const conn = await loginAs(ctx, driver, pending, STAGE_PENDING);
  if (!conn) throw new RotationError(`the database rejected the AWSPENDING password of secret ${ctx.secretId}`);
  await using(driver, conn, (c) => driver.check(c));
  ctx.log.info('verified', 'AWSPENDING logs in and runs a query');
}
