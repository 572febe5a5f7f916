import { canonicalKey } from './key-aliases';
import type { ContextValue, RequestContext } from './types';

function one(key: string, value: string | boolean | number | Date): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (value instanceof Date) return value.toISOString();
  throw new Error(`AccessModel: context key '${key}' has a value of type ${typeof value}; use a string, boolean, number, Date or an array of them.`);
}

/** Converts a context value to the string (or string list) form iam-simulate takes. */
export function toContextValue(key: string, value: ContextValue): string | string[] {
  return Array.isArray(value) ? value.map((v) => one(key, v)) : one(key, value as string | boolean | number | Date);
}

/** The model's default context overlaid with the request's own keys (null/undefined removes a default). */
export function mergeContext(defaults: Record<string, string | string[]>, given: RequestContext | undefined): Record<string, string | string[]> {
  const out = { ...defaults };
  for (const [givenKey, value] of Object.entries(given ?? {})) {
    const key = canonicalKey(givenKey);
    // Condition keys are case-insensitive: replace a default spelt differently.
    for (const k of Object.keys(out)) if (k.toLowerCase() === key.toLowerCase()) delete out[k];
    if (value === null || value === undefined) continue;
    out[key] = toContextValue(givenKey, value);
  }
  return out;
}
