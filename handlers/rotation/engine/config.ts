import {
  DEFAULT_EXCLUDE_CHARACTERS, DEFAULT_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, ROTATION_ENV,
  parseAllowedEndpoints, parseDatabaseUsers,
  type DatabaseEndpoint, type DatabaseUserDeclaration,
} from '../../../lib/secrets/private/rotation-contract';
import { RotationError } from './errors';
import { STRATEGY_NAMES, type StrategyName } from './types';

export { DEFAULT_EXCLUDE_CHARACTERS, DEFAULT_PASSWORD_LENGTH };

export interface RotationConfig {
  readonly strategy: StrategyName;
  readonly passwordLength: number;
  readonly excludeCharacters: string;
  readonly excludePunctuation: boolean;
  /** Verified TLS for every login; when false a secret may opt out with `"ssl": false`. */
  readonly requireTls: boolean;
  /** The only endpoints any login may go to; undefined: no list (each credential's own endpoint). */
  readonly allowedEndpoints?: readonly DatabaseEndpoint[];
  /** Users alternating users may create on a first rotation. */
  readonly databaseUsers: readonly DatabaseUserDeclaration[];
}

type Env = Record<string, string | undefined>;

const E = ROTATION_ENV;

/** Reads and checks the function's environment; every error names the variable, the value and the fix. */
export function readConfig(env: Env = process.env): RotationConfig {
  const strategy = env.ROTATION_STRATEGY;
  if (!strategy) {
    throw new RotationError(`${E.STRATEGY} is not set; set it to one of ${STRATEGY_NAMES.join(', ')}`);
  }
  if (!(STRATEGY_NAMES as readonly string[]).includes(strategy)) {
    throw new RotationError(`${E.STRATEGY} must be one of ${STRATEGY_NAMES.join(', ')}, got '${strategy}'`);
  }
  const database = strategy !== 'random-key';

  let passwordLength = DEFAULT_PASSWORD_LENGTH;
  if (env.PASSWORD_LENGTH !== undefined && env.PASSWORD_LENGTH !== '') {
    const raw = env.PASSWORD_LENGTH;
    passwordLength = Number(raw);
    if (!/^\d+$/.test(raw) || passwordLength < MIN_PASSWORD_LENGTH || passwordLength > MAX_PASSWORD_LENGTH) {
      throw new RotationError(`${E.PASSWORD_LENGTH} must be a whole number from ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH}, got '${raw}'`);
    }
  }

  let allowedEndpoints: DatabaseEndpoint[] | undefined;
  if (env.ALLOWED_DATABASE_ENDPOINTS !== undefined && env.ALLOWED_DATABASE_ENDPOINTS !== '') {
    if (!database) throw new RotationError(`${E.ALLOWED_DATABASE_ENDPOINTS} applies to the database strategies only, not ${strategy}; unset it`);
    allowedEndpoints = contract(() => parseAllowedEndpoints(env.ALLOWED_DATABASE_ENDPOINTS!));
  }

  let databaseUsers: DatabaseUserDeclaration[] = [];
  if (env.DATABASE_USERS !== undefined && env.DATABASE_USERS !== '') {
    if (!strategy.endsWith('-alternating-users')) {
      throw new RotationError(`${E.DATABASE_USERS} applies to the alternating-users strategies only (they create users with the master secret), not ${strategy}; unset it`);
    }
    databaseUsers = contract(() => parseDatabaseUsers(env.DATABASE_USERS!, strategy.startsWith('postgres') ? 'postgres' : 'mysql'));
  }

  return {
    strategy: strategy as StrategyName,
    passwordLength,
    excludeCharacters: env.EXCLUDE_CHARACTERS ?? DEFAULT_EXCLUDE_CHARACTERS,
    excludePunctuation: readBoolean(env, E.EXCLUDE_PUNCTUATION, false),
    requireTls: readBoolean(env, E.REQUIRE_TLS, true),
    ...(allowedEndpoints ? { allowedEndpoints } : {}),
    databaseUsers,
  };
}

/** The contract's parsers throw plain Errors whose text holds no secret (these variables carry none). */
function contract<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new RotationError((err as Error).message);
  }
}

function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new RotationError(`${name} must be 'true' or 'false', got '${raw}'`);
}
