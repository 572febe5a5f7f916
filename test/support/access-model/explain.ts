import type { RequestDenial, RequestGrant } from '@cloud-copilot/iam-simulate';
import type { AccessExplanation } from './access-model';

/** What the text is made of: the explanation less the raw simulator data and the text itself. */
type ExplanationFacts = Omit<AccessExplanation, 'substitutedClaims' | 'simulation' | 'result' | 'text'>;

function reason(r: RequestGrant | RequestDenial): string {
  const parts: string[] = [r.policyType];
  const id = 'policyIdentifier' in r ? r.policyIdentifier : 'identifier' in r ? r.identifier : undefined;
  if (id) parts.push(`'${id}'`);
  if ('statementIndex' in r) parts.push(`statement #${r.statementIndex}${r.statementId ? ` (Sid ${r.statementId})` : ''}`);
  if ('denialType' in r) parts.push(r.denialType === 'Implicit' ? '(no statement allows it)' : '(explicit deny)');
  return parts.join(' ');
}

/** A readable account of one decision. */
export function formatExplanation(f: ExplanationFacts, principalDescription: string): string {
  const lines = [
    `${f.decision}: ${f.action} on ${f.resource} (account ${f.resourceAccount})`,
    `  by ${f.principal} — ${principalDescription}`,
    `  context: ${JSON.stringify(f.context)}${f.ignoredContextKeys.length ? ` (not applicable to the action, left out: ${f.ignoredContextKeys.join(', ')})` : ''}`,
    `  identity policies: ${f.identityPolicies.length ? f.identityPolicies.map((p) => p.name).join('; ') : 'none'}`,
    `  permissions boundary: ${f.permissionsBoundary?.name ?? 'none'}`,
    `  resource policy: ${f.resourcePolicy ? JSON.stringify(f.resourcePolicy) : 'none'}`,
    `  SCPs: ${f.serviceControlPolicies.join('; ') || 'none'}; RCPs: ${f.resourceControlPolicies.join('; ') || 'none'}`,
  ];
  if (f.ramSharing) lines.push(`  AWS RAM: ${f.ramSharing}`);
  if (f.sessionPolicy) lines.push(`  session policy: ${JSON.stringify(f.sessionPolicy)}`);
  if (f.vpcEndpointPolicy) lines.push(`  VPC endpoint policy: ${JSON.stringify(f.vpcEndpointPolicy)}`);
  for (const g of f.grants) lines.push(`  allowed by ${reason(g)}`);
  for (const d of f.denials) lines.push(`  denied by ${reason(d)}`);
  return lines.join('\n');
}
