/**
 * Condition keys iam-simulate cannot take as written, rewritten to the global key IAM treats the
 * same way. The service reference spells `secretsmanager:ResourceTag/tag-key` and
 * `ssm:ResourceTag/tag-key` with a literal `tag-key` instead of a `${TagKey}` variable, so
 * iam-simulate fails on `secretsmanager:ResourceTag/team` ("Condition key ... not found") and never
 * matches it in a policy; Secrets Manager and SSM document these keys as the resource's tags, which is
 * what `aws:ResourceTag/<key>` means.
 */
const RESOURCE_TAG_ALIAS = /^(secretsmanager|ssm):resourcetag\//i;

/**
 * `kms:EncryptionContext:<context key>` (e.g. `kms:EncryptionContext:aws:s3:arn`, which S3 and
 * Secrets Manager send) is a key whose variable part follows a colon: iam-simulate matches variable
 * keys only after a slash (`aws:PrincipalTag/<key>`), so it drops such a context key and a policy
 * condition on it never matches. The model carries it as `aws:RequestTag/kms:EncryptionContext:<context key>`,
 * a String key iam-simulate accepts for every action and the model never sets otherwise, in policies and
 * context alike, so conditions on the encryption context evaluate as KMS evaluates them.
 */
const ENCRYPTION_CONTEXT = /^kms:encryptioncontext:(.+)$/i;
/** Where the model carries `kms:EncryptionContext:<key>` for iam-simulate. */
export const ENCRYPTION_CONTEXT_CARRIER = 'aws:RequestTag/kms:EncryptionContext:';

/** The key iam-simulate should see for `key`. */
export function canonicalKey(key: string): string {
  const context = ENCRYPTION_CONTEXT.exec(key);
  if (context) return `${ENCRYPTION_CONTEXT_CARRIER}${context[1]}`;
  return key.replace(RESOURCE_TAG_ALIAS, 'aws:ResourceTag/');
}

function canonicalVariables(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\$\{([^}]+)\}/g, (_whole, key: string) => `\${${canonicalKey(key)}}`);
  if (Array.isArray(value)) return value.map(canonicalVariables);
  return value;
}

/** A copy of a policy document whose condition keys (and policy variables) use canonical keys. */
export function canonicalPolicy<T>(policy: T): T {
  const doc = policy as { Statement?: unknown };
  if (!doc || typeof doc !== 'object' || doc.Statement === undefined) return policy;
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  const rewritten = statements.map((s: Record<string, unknown>) => {
    if (!s || typeof s !== 'object' || !s.Condition || typeof s.Condition !== 'object') return s;
    const condition: Record<string, Record<string, unknown>> = {};
    for (const [op, entries] of Object.entries(s.Condition as Record<string, Record<string, unknown>>)) {
      condition[op] = {};
      for (const [key, value] of Object.entries(entries ?? {})) condition[op][canonicalKey(key)] = canonicalVariables(value);
    }
    return { ...s, Condition: condition };
  });
  return { ...doc, Statement: Array.isArray(doc.Statement) ? rewritten : rewritten[0] } as T;
}
