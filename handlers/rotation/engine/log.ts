import type { StepName, StrategyName } from './types';

/**
 * Structured JSON logs, one line each. Only these fields exist, and every call site passes
 * metadata (step, ARN, version token, outcome, static text): there is deliberately no field that
 * could carry a secret value.
 */
export interface LogFields {
  readonly step?: StepName | string;
  readonly secretArn?: string;
  readonly token?: string;
  readonly strategy?: StrategyName | string;
  /** What happened: 'started', 'done', 'skipped', 'failed', ... */
  readonly outcome: string;
  /** Human text: static wording plus metadata; never a secret value. */
  readonly message?: string;
  readonly durationMs?: number;
  /** Which credential was used or tried (a stage name, 'master'), never its content. */
  readonly credential?: string;
}

export type LogLevel = 'info' | 'warn' | 'error';

export function log(level: LogLevel, fields: LogFields): void {
  const line = JSON.stringify({ level, ...fields });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}

/** A logger bound to one invocation's step, secret and token. */
export class StepLogger {
  constructor(private readonly base: Omit<LogFields, 'outcome'>) {}
  info(outcome: string, message?: string, extra: Partial<LogFields> = {}): void {
    log('info', { ...this.base, outcome, message, ...extra });
  }
  warn(outcome: string, message?: string, extra: Partial<LogFields> = {}): void {
    log('warn', { ...this.base, outcome, message, ...extra });
  }
  error(outcome: string, message?: string, extra: Partial<LogFields> = {}): void {
    log('error', { ...this.base, outcome, message, ...extra });
  }
}
