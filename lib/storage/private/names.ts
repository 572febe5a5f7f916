import { createHash } from 'node:crypto';
import { Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * A physical name fixed at synthesis, `<stack>-<path in the stack>-<hash>`, for a resource another stack (of
 * another region or account) names in plain text. CDK's `PhysicalName.GENERATE_IF_NEEDED` refuses stacks
 * without an account; this hashes the construct's path with the account and region where known, so the
 * same app in two accounts or regions does not claim one global (S3) or account-wide (IAM) name.
 */
export function fixedName(scope: Construct, id: string, options: { maxLength: number; lowerCase: boolean }): string {
  const stack = Stack.of(scope);
  const account = Token.isUnresolved(stack.account) ? '' : stack.account;
  const region = Token.isUnresolved(stack.region) ? '' : stack.region;
  const hash = createHash('sha256').update([scope.node.path, id, account, region].join('/')).digest('hex').slice(0, 12);
  const inStack = scope.node.scopes.slice(scope.node.scopes.indexOf(stack) + 1).map((c) => c.node.id);
  let base = [stack.stackName, ...inStack, id].join('-');
  if (options.lowerCase) base = base.toLowerCase();
  base = base.replace(options.lowerCase ? /[^a-z0-9-]+/g : /[^A-Za-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-/, '');
  return `${base.slice(0, options.maxLength - hash.length - 1).replace(/-$/, '')}-${hash}`;
}
