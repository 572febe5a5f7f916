import { asList, Catalog, Entry } from './catalog';
import type { PolicyDocument } from './types';

/**
 * What AWS RAM's managed permission `AWSRAMDefaultPermissionSubnet` lets a participant do with a shared
 * subnet, as far as the model goes: place its own instances and network interfaces in it. Anything else
 * on the subnet (modify, delete, tag it) stays the owner's, so a participant gets no statement for it.
 */
export const SUBNET_PARTICIPANT_ACTIONS: readonly string[] = ['ec2:RunInstances', 'ec2:CreateNetworkInterface'];

const OU_ARN = /^arn:[a-z-]+:organizations::\d{12}:ou\/(o-[a-z0-9]+)\/(ou-[a-z0-9]+-[a-z0-9]+)$/;
const ORG_ARN = /^arn:[a-z-]+:organizations::\d{12}:organization\/(o-[a-z0-9]+)$/;

/** The resource shares (of the subnet's account and region) whose ResourceArns name the subnet. */
function sharesOf(catalog: Catalog, subnet: Entry): Entry[] {
  const arn = catalog.arn(subnet);
  return catalog.ofType('AWS::RAM::ResourceShare', subnet.stack.account)
    .filter((share) => share.stack.region === subnet.stack.region && asList(catalog.prop(share, 'ResourceArns')).includes(arn));
}

/** One RAM principal (account id, OU ARN, organization ARN, role/user ARN) as the statement RAM's permission amounts to. */
function statementFor(share: Entry, principal: unknown, index: number): Record<string, unknown> {
  // RAM shares with other accounts only: the owner's principals keep needing their identity policies
  const others = { StringNotEquals: { 'aws:PrincipalAccount': share.stack.account } };
  const base = { Sid: `Ram${share.logicalId}${index}`.replace(/[^A-Za-z0-9]/g, ''), Effect: 'Allow', Action: [...SUBNET_PARTICIPANT_ACTIONS], Resource: '*', Condition: others };
  const p = String(principal);
  const ou = OU_ARN.exec(p);
  const org = ORG_ARN.exec(p);
  if (/^\d{12}$/.test(p)) return { ...base, Principal: { AWS: `arn:${share.stack.partition}:iam::${p}:root` } };
  // an OU share reaches the accounts of the OU and of its child OUs: their org paths run through it
  if (ou) return { ...base, Principal: { AWS: '*' }, Condition: { ...others, 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': [`${ou[1]}/*/${ou[2]}/*`] } } };
  if (org) return { ...base, Principal: { AWS: '*' }, Condition: { ...others, StringEquals: { 'aws:PrincipalOrgID': org[1] } } };
  if (/^arn:[a-z-]+:iam::\d{12}:(role|user)\//.test(p)) return { ...base, Principal: { AWS: p } };
  throw new Error(`AccessModel: AWS::RAM::ResourceShare '${share.logicalId}' of stack '${share.stack.stackName}' names principal ${JSON.stringify(principal)}, `
    + 'which the model cannot read; RAM takes an account id, an OU or organization ARN, or an IAM role/user ARN.');
}

/**
 * The resource-based policy RAM's subnet shares amount to for `subnet`: an allow of
 * SUBNET_PARTICIPANT_ACTIONS for every principal of every share naming it. Undefined when no share
 * names it: another account then has no way to use (or even see) the subnet.
 */
export function subnetSharePolicy(catalog: Catalog, subnet: Entry): PolicyDocument | undefined {
  const statements = sharesOf(catalog, subnet).flatMap((share) => asList(catalog.prop(share, 'Principals')).map((p, i) => statementFor(share, p, i)));
  return statements.length ? { Version: '2012-10-17', Statement: statements } : undefined;
}

/** A line for explanations: which RAM shares make the subnet visible to whom, or that none does. */
export function describeSubnetSharing(catalog: Catalog, subnet: Entry): string {
  const shares = sharesOf(catalog, subnet);
  if (!shares.length) return 'the subnet is in no AWS::RAM::ResourceShare: it is not visible to any other account';
  return shares.map((s) => `shared through RAM share '${s.logicalId}' with ${asList(catalog.prop(s, 'Principals')).map(String).join(', ')}`
    + ` (participants may ${SUBNET_PARTICIPANT_ACTIONS.join(', ')})`).join('; ');
}
