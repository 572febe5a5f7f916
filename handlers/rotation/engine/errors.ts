/**
 * An error whose message was written by us and is known to hold no secret value, so it may be
 * logged and returned to the Lambda runtime (which logs it too).
 */
export class RotationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RotationError';
  }
}

/**
 * `fresh` with the stack frames of `original` in place of its own, so the trace a failed step
 * leaves in the log points at the line that failed rather than at the rethrow. Only the `at ...`
 * lines are kept: the message lines of a driver error can quote SQL.
 */
export function withFramesOf<E extends Error>(fresh: E, original: unknown): E {
  const stack = typeof original === 'object' && original !== null ? (original as { stack?: unknown }).stack : undefined;
  const frames = typeof stack === 'string' ? stack.split('\n').filter((line) => /^\s+at /.test(line)) : [];
  if (frames.length > 0) fresh.stack = [`${fresh.name}: ${fresh.message}`, ...frames].join('\n');
  return fresh;
}

/** True for the SDK's "no such secret / version / stage" error. */
export function isResourceNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: string }).name === 'ResourceNotFoundException';
}

/**
 * A log- and throw-safe description of an error from a dependency. Driver messages can quote the
 * SQL text (MySQL "near '...'", PostgreSQL "at or near ..."), and SQL may carry a password, so
 * those parts are dropped and any known secret string is masked as a last guard.
 */
export function describeError(err: unknown, secrets: readonly string[] = []): string {
  if (err instanceof RotationError) return mask(err.message, secrets);
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as {
    code?: unknown; errno?: unknown; message?: unknown; name?: unknown;
  };
  let message = typeof e.message === 'string' ? e.message : '';
  // SQL syntax errors echo a piece of the statement: never pass them on.
  const near = message.search(/\b(at or )?near\b/i);
  if (near >= 0) message = message.slice(0, near).trim();
  if (message.length > 300) message = message.slice(0, 300);
  const code = typeof e.code === 'string' || typeof e.code === 'number' ? String(e.code) : typeof e.name === 'string' ? e.name : 'Error';
  return mask(`${code}${message ? `: ${message}` : ''}`, secrets);
}

function mask(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}
