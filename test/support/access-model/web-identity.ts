import type { PolicyDocument } from './types';

/**
 * Claims of a web identity session (`cognito-identity.amazonaws.com:sub`, `accounts.google.com:sub`,
 * `<oidc-host>:sub`...). IAM lets the session's later requests use them as policy variables (per-user
 * S3 prefixes), but iam-simulate only accepts them for sts:AssumeRoleWithWebIdentity and drops them
 * elsewhere. For other actions the model substitutes them into the policies' `${...}` variables
 * itself, as IAM does, and leaves them out of the request context.
 */
/** A provider host before the colon (service prefixes such as `s3` never contain a dot). */
const WEB_IDENTITY_KEY = /^[^:]*\.[^:]*:.+$/;

/** Whether `key` is a web identity claim the model must substitute for `action` itself. */
export function isWebIdentityClaim(key: string, action: string): boolean {
  return !/^sts:AssumeRoleWithWebIdentity$/i.test(action) && WEB_IDENTITY_KEY.test(key);
}

function substitute(value: unknown, claims: Record<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([^}]+)\}/g, (whole, key: string) => {
      const hit = Object.keys(claims).find((k) => k.toLowerCase() === key.toLowerCase());
      return hit === undefined ? whole : claims[hit];
    });
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, claims));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, claims)]));
  return value;
}

/** The policy with `${claim}` policy variables replaced by the session's claim values. */
export function withClaims<T extends PolicyDocument | undefined>(policy: T, claims: Record<string, string>): T {
  return Object.keys(claims).length && policy ? (substitute(policy, claims) as T) : policy;
}

/** Splits web identity claims (for policy variables) from the keys iam-simulate gets. */
export function splitClaims(context: Record<string, string | string[]>, action: string): { claims: Record<string, string>; context: Record<string, string | string[]> } {
  const claims: Record<string, string> = {};
  const rest: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(context)) {
    if (!isWebIdentityClaim(k, action)) rest[k] = v;
    else if (typeof v === 'string') claims[k] = v;
  }
  return { claims, context: rest };
}
