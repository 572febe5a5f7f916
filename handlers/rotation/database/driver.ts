import type { DatabaseUserDeclaration } from '../../../lib/secrets/private/rotation-contract';
import { RotationError, describeError } from '../engine/errors';

/** Where and as whom to connect. */
export interface ConnectTarget {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly database?: string;
  /**
   * Use TLS and verify the server certificate (Node's CAs plus NODE_EXTRA_CA_CERTS) and that it
   * names `host`; false: plain TCP. A driver never falls back from one to the other.
   */
  readonly tls: boolean;
  /**
   * No credential (the password or anything derived from it) may be sent before this resolves;
   * if it rejects, the attempt is abandoned. A driver may open the connection meanwhile.
   */
  readonly credentialsAfter?: Promise<void>;
}

/** Why a connection attempt failed, when it was not a rejected password. */
export class ConnectError extends Error {
  constructor(
    /** 'tls': the server has no TLS or its certificate did not verify (for the host name). */
    public readonly kind: 'tls' | 'other',
    message: string,
  ) {
    super(message);
    this.name = 'ConnectError';
  }
}

/** A driver's failed connection attempt (not a rejected password), as a log- and throw-safe ConnectError. */
export function connectFailure(err: unknown, password: string): ConnectError {
  const e = err as { code?: unknown; message?: unknown };
  // Both drivers name TLS trouble in the code (HANDSHAKE_NO_SSL_SUPPORT) or the message.
  const tls = /certificate|self[- ]signed|altname|SSL|TLS/i.test(`${e.code ?? ''} ${e.message ?? ''}`);
  return new ConnectError(tls ? 'tls' : 'other', describeError(err, [password]));
}

/** Runs a statement that carries a password; its errors are re-worded so no SQL text escapes. */
export async function runSecretStatement(run: () => Promise<unknown>, what: string, password: string): Promise<void> {
  try {
    await run();
  } catch (err) {
    throw new RotationError(`${what} failed: ${describeError(err, [password])}`);
  }
}

/**
 * What one database engine must provide. Each bundle includes exactly one driver, so the
 * PostgreSQL bundle never carries mysql2 and the other way round.
 */
export interface DatabaseDriver<C, S = unknown> {
  /** Label for messages: 'PostgreSQL', 'MySQL/MariaDB'. */
  readonly label: string;
  /** Accepted secret `engine` values. */
  readonly engines: readonly string[];
  readonly defaultPort: number;
  /** Database to use when the secret names none (undefined: none). */
  readonly defaultDatabase?: string;
  /** Longest user name the engine allows, for the `_clone` suffix. */
  maxUsernameLength(engine: string): number;
  /** Opens a session; resolves undefined when the server rejects the credentials, throws ConnectError otherwise. */
  connect(target: ConnectTarget): Promise<C | undefined>;
  close(conn: C): Promise<void>;
  /** A trivial query that proves the session works. */
  check(conn: C): Promise<void>;
  /** Starts costly work for setting `password` (e.g. hashing) while logins run. Optional. */
  prepare?(password: string): void;
  /** Sets the password of the session's own user. */
  changeOwnPassword(conn: C, password: string): Promise<void>;
  /**
   * As the master user: whether the user exists (for MySQL, the account `username`@`accountHost`,
   * `%` when not given). Used on a first rotation, when AWSCURRENT did not log in.
   */
  userExists(master: C, username: string, accountHost: string | undefined): Promise<boolean>;
  /**
   * Reads, on AWSCURRENT's session, what provisionAlternate will need, while the master logs in
   * (catalogs any user may read, the session's own account). Optional; only reads.
   */
  survey?(current: C, users: AlternateUsers): Promise<S>;
  /**
   * As the master user: creates the base user when `users.declaration` says so and it is missing,
   * makes the clone hold exactly the base user's privileges (creating it if needed, refusing or
   * resetting one the engine did not make), and sets `users.password` on `users.pending`. Safe to
   * repeat. `current` is AWSCURRENT's session and `survey` what survey() read on it; both
   * undefined on a first rotation.
   */
  provisionAlternate(master: C, current: C | undefined, users: AlternateUsers, survey: S | undefined): Promise<'created' | 'updated'>;
}

/** The two users of alternating-users rotation, and what to do to them. */
export interface AlternateUsers {
  /** The user the secret was made for. */
  readonly base: string;
  /** `<base>_clone`. */
  readonly clone: string;
  /** base or clone: the one that gets `password`. */
  readonly pending: string;
  readonly password: string;
  /** A first rotation: create the base user with `password` and these grants if it is missing. */
  readonly declaration?: DatabaseUserDeclaration;
  /** The database the master session is in (PostgreSQL table and schema grants apply there). */
  readonly database?: string;
}
