import type { RotationConfig } from '../engine/config';
import { RotationError } from '../engine/errors';
import type { StepContext } from '../engine/handler';
import { portOf, sslOf } from '../engine/secret-json';
import { ConnectError, type DatabaseDriver } from './driver';

/** Host:port pairs seen to refuse TLS in this warm container, so later steps skip the TLS attempt. */
const plainOnly = new Set<string>();

export interface Credentials {
  readonly host: string;
  readonly port?: unknown;
  readonly username: string;
  readonly password: string;
  readonly dbname?: unknown;
  readonly ssl?: unknown;
}

/**
 * Logs in as `who` (a label for logs: 'AWSPENDING', 'master', ...). TLS is required when
 * REQUIRE_TLS is true or the secret says `ssl: true`, refused when the secret says `ssl: false`,
 * and otherwise tried first with a fall-back to plain TCP, as in AWS's reference functions.
 * Resolves undefined when the password is rejected; throws when the server cannot be reached.
 */
export async function login<C>(ctx: StepContext, driver: DatabaseDriver<C>, creds: Credentials, who: string): Promise<C | undefined> {
  const host = creds.host;
  const port = portOf(creds.port) ?? driver.defaultPort;
  const database = typeof creds.dbname === 'string' && creds.dbname !== '' ? creds.dbname : driver.defaultDatabase;
  const base = { host, port, username: creds.username, password: creds.password, database };
  const mode = tlsMode(ctx.config, creds);
  const key = `${host}:${port}`;
  const attempt = async (tls: boolean): Promise<C | undefined> => {
    const conn = await driver.connect({ ...base, tls });
    ctx.log.info(conn ? 'login' : 'login-rejected', `${conn ? 'logged in' : 'password rejected'} over ${tls ? 'TLS' : 'plain TCP'}`, { credential: who });
    return conn;
  };
  try {
    if (mode === 'require' || (mode === 'prefer' && !plainOnly.has(key))) {
      try {
        return await attempt(true);
      } catch (err) {
        if (!(err instanceof ConnectError && err.kind === 'tls') || mode === 'require') throw err;
        plainOnly.add(key);
        ctx.log.warn('tls-fallback', `TLS to ${key} failed (${err.message}); using plain TCP. Set REQUIRE_TLS=true (and NODE_EXTRA_CA_CERTS for a private CA) to forbid this`, { credential: who });
      }
    }
    return await attempt(false);
  } catch (err) {
    if (err instanceof ConnectError) {
      const hint = err.kind === 'tls' ? ' (TLS is required by REQUIRE_TLS or the secret\'s "ssl": true)' : '';
      throw new RotationError(`cannot connect to ${driver.label} at ${key} as ${who}: ${err.message}${hint}`);
    }
    throw err;
  }
}

function tlsMode(config: RotationConfig, creds: Credentials): 'require' | 'prefer' | 'disable' {
  const ssl = sslOf(creds);
  if (config.requireTls || ssl === true) return 'require';
  return ssl === false ? 'disable' : 'prefer';
}

/**
 * Closes a session without waiting for the server's goodbye: the work is done (and committed)
 * by then, and the wait would only add a round trip to the step.
 */
export function release<C>(driver: DatabaseDriver<C>, conn: C | undefined): void {
  if (conn !== undefined) driver.close(conn).catch(() => undefined);
}

/** Runs `work` with a session and always closes it. */
export async function using<C, T>(driver: DatabaseDriver<C>, conn: C, work: (conn: C) => Promise<T>): Promise<T> {
  try {
    return await work(conn);
  } finally {
    release(driver, conn);
  }
}
