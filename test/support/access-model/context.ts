import type { Catalog } from './catalog';
import { canonicalKey } from './key-aliases';
import type { PrincipalInfo } from './principals';
import type { ResolvedResource } from './resources';
import { DEFAULT_REGION } from './stack-set';
import type { AccessModelOptions, ContextValue, RequestContext } from './types';

function one(key: string, value: string | boolean | number | Date): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (value instanceof Date) return value.toISOString();
  throw new Error(`AccessModel: context key '${key}' has a value of type ${typeof value}; use a string, boolean, number, Date or an array of them.`);
}

/** Converts a context value to the string (or string list) form iam-simulate takes. */
function toContextValue(key: string, value: ContextValue): string | string[] {
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

/** Keys a real request would carry; a request's own context overrides them (see README.md). */
export function defaultContext(catalog: Catalog, principal: PrincipalInfo, resource: ResolvedResource, options: AccessModelOptions): Record<string, string | string[]> {
  const ctx: Record<string, string | string[]> = {
    // SDKs and the console always call AWS over HTTPS.
    'aws:SecureTransport': 'true',
    'aws:PrincipalIsAWSService': principal.kind === 'service' ? 'true' : 'false',
    'aws:ResourceAccount': resource.account,
    'aws:RequestedRegion': resource.arn.split(':')[3] || resource.entry?.stack.region || (options.defaultRegion ?? DEFAULT_REGION),
  };
  if (principal.kind === 'service') {
    ctx['aws:PrincipalArn'] = principal.principalArn;
    ctx['aws:PrincipalServiceName'] = principal.requestArn;
  } else if (principal.kind === 'federated') {
    ctx['aws:PrincipalType'] = 'WebIdentityUser';
  } else {
    ctx['aws:PrincipalArn'] = principal.principalArn;
    ctx['aws:PrincipalType'] = principal.kind === 'role' ? 'AssumedRole' : principal.kind === 'user' ? 'User' : 'Account';
  }
  if (principal.account) ctx['aws:PrincipalAccount'] = principal.account;
  if (principal.userId) ctx['aws:userid'] = principal.userId;
  if (principal.kind === 'user' && principal.name) ctx['aws:username'] = principal.name;
  for (const [k, v] of Object.entries(principal.tags)) ctx[`aws:PrincipalTag/${k}`] = v;
  if (resource.entry) {
    for (const [k, v] of Object.entries(catalog.tags(resource.entry))) ctx[`aws:ResourceTag/${k}`] = v;
  }
  if (options.organizationId) {
    const members = options.organizationAccounts ?? catalog.accounts();
    if (principal.account && members.includes(principal.account)) ctx['aws:PrincipalOrgID'] = options.organizationId;
    if (members.includes(resource.account)) ctx['aws:ResourceOrgID'] = options.organizationId;
  }
  return ctx;
}
