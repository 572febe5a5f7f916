import { ROTATION_ENV, formatAllowedEndpoints, normalizeHost } from '../../../lib/secrets/private/rotation-contract';
import type { RotationConfig } from '../engine/config';
import { RotationError } from '../engine/errors';
import type { StepContext } from '../engine/handler';
import { portOf, sslOf } from '../engine/secret-json';
import { ConnectError, type DatabaseDriver } from './driver';

/**
 * Where one credential may be sent: the server recorded with that credential, and how TLS is
 * used there. A password only ever goes to the endpoint of its own record (or, for a master
 * secret without a host, to an endpoint the function's trusted configuration lists).
 */
export interface Endpoint {
  /** Normalised (lower case, no trailing dot), so two spellings of one host compare equal. */
  readonly host: string;
  readonly port: number;
  /** 'verify': TLS with the certificate and host name checked; 'plain': TCP, only where the user opted out. */
  readonly tls: 'verify' | 'plain';
}

/** What a connection needs besides the endpoint. */
export interface Login {
  readonly username: string;
  readonly password: string;
  readonly database?: unknown;
}

/**
 * How TLS is used for a credential whose record says `ssl` (absent, true, false): verified TLS,
 * unless REQUIRE_TLS is false and the record opts out with `"ssl": false`. There is no fall-back:
 * a certificate that does not verify fails the login.
 */
export function tlsOf(config: RotationConfig, record: { ssl?: unknown }, what: string): Endpoint['tls'] {
  const ssl = sslOf(record);
  if (ssl !== false) return 'verify';
  if (config.requireTls) {
    throw new RotationError(`${what} says "ssl": false, but ${ROTATION_ENV.REQUIRE_TLS} is true (the default), so every login uses verified TLS; `
      + `remove "ssl": false, or set ${ROTATION_ENV.REQUIRE_TLS}=false where the database cannot speak TLS`);
  }
  return 'plain';
}

/** The endpoint recorded with a credential (a version of the user's secret, or a master secret that names its host). */
export function endpointOf<C>(ctx: StepContext, driver: DatabaseDriver<C>, record: { host?: unknown; port?: unknown; ssl?: unknown }, what: string): Endpoint {
  if (typeof record.host !== 'string' || record.host.trim() === '') {
    throw new RotationError(`${what} names no host`);
  }
  return { host: normalizeHost(record.host), port: portOf(record.port) ?? driver.defaultPort, tls: tlsOf(ctx.config, record, what) };
}

export function sameServer(a: Endpoint, b: Endpoint): boolean {
  return a.host === b.host && a.port === b.port;
}

/** Same server and the same TLS: a credential set through one connection may be used at the other. */
export function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  return sameServer(a, b) && a.tls === b.tls;
}

export function describeEndpoint(e: Endpoint): string {
  return `${formatAllowedEndpoints([e])}${e.tls === 'plain' ? ' (plain TCP)' : ''}`;
}

/** Refuses an endpoint that ALLOWED_DATABASE_ENDPOINTS does not list, before anything is sent to it. */
export function checkAllowed(config: RotationConfig, endpoint: Endpoint, what: string): void {
  const allowed = config.allowedEndpoints;
  if (allowed && !allowed.some((a) => a.host === endpoint.host && a.port === endpoint.port)) {
    throw new RotationError(`${what} names ${formatAllowedEndpoints([endpoint])}, which ${ROTATION_ENV.ALLOWED_DATABASE_ENDPOINTS} does not list `
      + `(${formatAllowedEndpoints(allowed)}); refusing to send a credential there`);
  }
}

/**
 * Logs in as `who` (a label for logs: 'AWSPENDING', 'master', ...) at `endpoint`, which the
 * caller took from the credential's own record. Each call decides TLS afresh from that endpoint:
 * nothing about an earlier login is remembered. With `credentialsAfter`, nothing derived from the
 * password is sent before it resolves (the connection may be opened meanwhile). Resolves
 * undefined when the password is rejected; throws when the server cannot be reached or TLS fails.
 */
export async function login<C>(ctx: StepContext, driver: DatabaseDriver<C>, endpoint: Endpoint, creds: Login, who: string, credentialsAfter?: Promise<void>): Promise<C | undefined> {
  checkAllowed(ctx.config, endpoint, `the ${who} credential`);
  const database = typeof creds.database === 'string' && creds.database !== '' ? creds.database : driver.defaultDatabase;
  const tls = endpoint.tls === 'verify';
  try {
    const conn = await driver.connect({ host: endpoint.host, port: endpoint.port, username: creds.username, password: creds.password, database, tls, credentialsAfter });
    ctx.log.info(conn ? 'login' : 'login-rejected', `${conn ? 'logged in' : 'password rejected'} over ${tls ? 'verified TLS' : 'plain TCP'}`, { credential: who });
    return conn;
  } catch (err) {
    if (err instanceof ConnectError) {
      const hint = err.kind === 'tls'
        ? `; TLS is required (${ROTATION_ENV.REQUIRE_TLS}, or the secret has no "ssl": false) and the server must present a certificate for ${endpoint.host} `
          + `from a trusted CA (${ROTATION_ENV.NODE_EXTRA_CA_CERTS} for a private one)`
        : '';
      throw new RotationError(`cannot connect to ${driver.label} at ${formatAllowedEndpoints([endpoint])} as ${who}: ${err.message}${hint}`);
    }
    throw err;
  }
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
