import { RotationError } from './errors';
import { STRATEGY_NAMES, type StrategyName } from './types';

/**
 * Characters left out of generated passwords by default: those that break URLs and connection
 * strings (`:/@?#[]%&;=`), quoting in SQL, shells, JSON and key=value strings (`"'\` and backtick),
 * and template or shell syntax (`{}<>|^`). What remains (letters, digits and `!$()*+,-._~`) gives
 * about 198 bits in 32 characters.
 */
export const DEFAULT_EXCLUDE_CHARACTERS = '"\'\\`/@:?#[]%&;={}<>|^';
export const DEFAULT_PASSWORD_LENGTH = 32;

export interface RotationConfig {
  readonly strategy: StrategyName;
  readonly passwordLength: number;
  readonly excludeCharacters: string;
  readonly excludePunctuation: boolean;
  readonly requireTls: boolean;
}

type Env = Record<string, string | undefined>;

/** Reads and checks the function's environment; every error names the variable, the value and the fix. */
export function readConfig(env: Env = process.env): RotationConfig {
  const strategy = env.ROTATION_STRATEGY;
  if (!strategy) {
    throw new RotationError(`ROTATION_STRATEGY is not set; set it to one of ${STRATEGY_NAMES.join(', ')}`);
  }
  if (!(STRATEGY_NAMES as readonly string[]).includes(strategy)) {
    throw new RotationError(`ROTATION_STRATEGY must be one of ${STRATEGY_NAMES.join(', ')}, got '${strategy}'`);
  }

  let passwordLength = DEFAULT_PASSWORD_LENGTH;
  if (env.PASSWORD_LENGTH !== undefined && env.PASSWORD_LENGTH !== '') {
    const raw = env.PASSWORD_LENGTH;
    passwordLength = Number(raw);
    // 8 is a sane floor for a database password; 4096 is GetRandomPassword's ceiling.
    if (!/^\d+$/.test(raw) || passwordLength < 8 || passwordLength > 4096) {
      throw new RotationError(`PASSWORD_LENGTH must be a whole number from 8 to 4096, got '${raw}'`);
    }
  }

  return {
    strategy: strategy as StrategyName,
    passwordLength,
    excludeCharacters: env.EXCLUDE_CHARACTERS ?? DEFAULT_EXCLUDE_CHARACTERS,
    excludePunctuation: readBoolean(env, 'EXCLUDE_PUNCTUATION'),
    requireTls: readBoolean(env, 'REQUIRE_TLS'),
  };
}

function readBoolean(env: Env, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return false;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new RotationError(`${name} must be 'true' or 'false', got '${raw}'`);
}
