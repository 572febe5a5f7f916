import { RotationError } from './errors';

/**
 * Parses a secret's JSON. JSON.parse's own message quotes the text it choked on, which may be
 * the password, so only the position is kept.
 */
export function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const position = /position (\d+)/.exec(String((err as Error).message))?.[1];
    throw new RotationError(`${what} is not valid JSON${position ? ` (syntax error at position ${position})` : ''}; store a JSON object such as {"engine":"postgres","host":"...","username":"...","password":"..."}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RotationError(`${what} must be a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'null' : `a ${typeof value}`}`);
  }
  return value as Record<string, unknown>;
}

/** A database secret in the AWS convention; other fields are kept as they are. */
export interface DatabaseSecret {
  readonly engine: string;
  readonly host: string;
  readonly port?: number | string;
  readonly username: string;
  readonly password: string;
  readonly dbname?: string;
  readonly masterarn?: string;
  readonly ssl?: boolean | string;
  readonly [field: string]: unknown;
}

export interface DatabaseSecretRules {
  /** Accepted `engine` values, e.g. ['postgres', 'aurora-postgresql']. */
  readonly engines: readonly string[];
  /** Alternating users need `masterarn`. */
  readonly requireMasterArn: boolean;
}

/** Parses and checks a user secret; errors name the secret, the field and what is expected, never a value of a credential. */
export function parseDatabaseSecret(text: string, what: string, rules: DatabaseSecretRules): DatabaseSecret {
  const json = parseJsonObject(text, what);
  const required = ['engine', 'host', 'username', 'password', ...(rules.requireMasterArn ? ['masterarn'] : [])];
  const missing = required.filter((field) => json[field] === undefined || json[field] === null || json[field] === '');
  if (missing.length > 0) {
    throw new RotationError(`${what} is missing ${missing.map((f) => `'${f}'`).join(', ')}; this strategy needs ${required.join(', ')} (port, dbname and ssl are optional)`);
  }
  for (const field of required) {
    if (typeof json[field] !== 'string') {
      throw new RotationError(`${what} field '${field}' must be a string, got a ${typeof json[field]}`);
    }
  }
  checkEngine(json, what, rules.engines);
  checkOptional(json, what);
  return json as DatabaseSecret;
}

/**
 * The master secret of alternating users: only username and password are required; host, port
 * and engine default to the user's secret (RDS-managed master secrets hold only the credentials).
 */
export function parseMasterSecret(text: string, what: string, rules: Pick<DatabaseSecretRules, 'engines'>): Partial<DatabaseSecret> & { username: string; password: string } {
  const json = parseJsonObject(text, what);
  for (const field of ['username', 'password']) {
    if (typeof json[field] !== 'string' || json[field] === '') {
      throw new RotationError(`${what} is missing '${field}' (a non-empty string); the master secret needs username and password`);
    }
  }
  if (json.engine !== undefined) checkEngine(json, what, rules.engines);
  checkOptional(json, what);
  return json as Partial<DatabaseSecret> & { username: string; password: string };
}

function checkEngine(json: Record<string, unknown>, what: string, engines: readonly string[]): void {
  if (!engines.includes(json.engine as string)) {
    throw new RotationError(`${what} names engine '${String(json.engine)}', which this strategy does not rotate; supported engines: ${engines.join(', ')}`);
  }
}

function checkOptional(json: Record<string, unknown>, what: string): void {
  if (json.port !== undefined && portOf(json.port) === undefined) {
    throw new RotationError(`${what} field 'port' must be a number from 1 to 65535, got '${String(json.port)}'`);
  }
  if (json.dbname !== undefined && json.dbname !== null && typeof json.dbname !== 'string') {
    throw new RotationError(`${what} field 'dbname' must be a string, got a ${typeof json.dbname}`);
  }
  if (json.host !== undefined && typeof json.host !== 'string') {
    throw new RotationError(`${what} field 'host' must be a string, got a ${typeof json.host}`);
  }
}

/** The port as a number, or undefined if it is not a valid port. */
export function portOf(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

/**
 * TLS wish of a secret: `ssl: true|"true"` demands TLS, `ssl: false|"false"` declines it, anything
 * else leaves the choice to the function (try TLS, fall back), as AWS's reference functions do.
 */
export function sslOf(json: { ssl?: unknown }): boolean | undefined {
  if (json.ssl === true || (typeof json.ssl === 'string' && json.ssl.toLowerCase() === 'true')) return true;
  if (json.ssl === false || (typeof json.ssl === 'string' && json.ssl.toLowerCase() === 'false')) return false;
  return undefined;
}
