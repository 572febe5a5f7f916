import { Catalog, Entry } from './catalog';
import type { PrincipalInfo } from './principals';
import { TRUST_ACTIONS } from './resource-policies';
import type { CheckRequest } from './types';

/** What a request is on, as the model sees it. */
export interface ResolvedResource {
  readonly arn: string;
  readonly account: string;
  /** The resource of the stacks the ARN belongs to (its policy applies), if any. */
  readonly entry?: Entry;
}

/** Actions on resources whose resource policy always exists and always takes part (role trust, key policy). */
const MANDATORY_RESOURCE_POLICY: ReadonlyArray<[RegExp, RegExp, string]> = [
  [TRUST_ACTIONS, /^arn:[a-z-]+:iam::\d{12}:role\//, 'trust'],
  [/^kms:/i, /^arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:key\//, 'key'],
];

/** Turns the `resource` (+ `resourceSuffix`, `resourceAccount`) of a check into an ARN, its account and its resource of the stacks. */
export function resolveResource(catalog: Catalog, request: CheckRequest, principal: PrincipalInfo): ResolvedResource {
  const resource = resolve(catalog, request, principal);
  const mandatory = MANDATORY_RESOURCE_POLICY.find(([action, arn]) => action.test(request.action) && arn.test(resource.arn));
  if (!resource.entry && mandatory) {
    // A role always has a trust policy and a key a key policy; without it any answer would be a guess
    // (iam-simulate even allows sts:AssumeRole in the same account when no trust policy is given).
    throw new Error(`AccessModel: ${resource.arn} is not in the model's stacks, so its ${mandatory[2]} policy is unknown and ${request.action} cannot be decided; pass the stack that defines it.`);
  }
  return resource;
}

function resolve(catalog: Catalog, request: CheckRequest, principal: PrincipalInfo): ResolvedResource {
  const suffix = request.resourceSuffix ?? '';
  if (suffix && !/^[/:]/.test(suffix)) {
    throw new Error(`AccessModel: resourceSuffix must start with '/' or ':' (it is appended to the ARN), got '${suffix}'; for an object write '/${suffix}'.`);
  }
  let target: { entry?: Entry; arn?: string } | undefined;
  if (typeof request.resource !== 'string') {
    if (!request.resource || !request.resource.node) {
      throw new Error(`AccessModel: resource must be a construct of the stacks or an ARN string, got ${JSON.stringify(request.resource)}.`);
    }
    target = catalog.targetOf(request.resource, 'resource');
    if (target.entry) {
      return { arn: catalog.arn(target.entry) + suffix, account: request.resourceAccount ?? target.entry.stack.account, entry: target.entry };
    }
  }
  const arn = (target?.arn ?? (request.resource as string)) + suffix;
  if (arn === '*') {
    // wildcard-only actions (secretsmanager:GetRandomPassword, ...): the caller's own account
    const account = request.resourceAccount ?? principal.account;
    if (!account) throw new Error(`AccessModel: resource '*' needs resourceAccount: '<12-digit id>' for principal ${principal.requestArn}.`);
    return { arn, account };
  }
  if (!/^arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:(\d{12}|aws)?:.+$/.test(arn)) {
    throw new Error(`AccessModel: resource '${arn}' is not an ARN; pass a construct of the stacks or an ARN.`);
  }
  const entry = catalog.entryByArn(arn);
  const arnAccount = arn.split(':')[4];
  const account = request.resourceAccount ?? entry?.stack.account ?? (/^\d{12}$/.test(arnAccount) ? arnAccount : undefined);
  if (!account) {
    throw new Error(`AccessModel: resource '${arn}' names no account and is not in the stacks; say who owns it with resourceAccount: '<12-digit id>'.`);
  }
  // IAM sees a secret's full ARN even when the caller names it by its partial ARN
  const full = entry?.resource.Type === 'AWS::SecretsManager::Secret' && catalog.arn(entry).slice(0, -7) === arn ? catalog.arn(entry) : arn;
  return { arn: full, account, entry };
}
