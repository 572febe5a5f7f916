import type { IConstruct } from 'constructs';
import { Catalog, Entry, entryName } from './catalog';

/** Who makes a request, as the model sees it. */
export interface PrincipalInfo {
  readonly kind: 'role' | 'user' | 'root' | 'service' | 'federated';
  /** The ARN iam-simulate evaluates the request as (a role's assumed-role session ARN). */
  readonly requestArn: string;
  /** `aws:PrincipalArn`: the role ARN for a role session, else the principal's own ARN. */
  readonly principalArn: string;
  readonly account?: string;
  /** The role or user in the stacks, when the principal is one. */
  readonly entry?: Entry;
  readonly name?: string;
  /** `aws:userid` */
  readonly userId?: string;
  /** Tags of the role or user (become `aws:PrincipalTag/<key>`). */
  readonly tags: Record<string, string>;
  readonly description: string;
}

const SERVICE_PRINCIPAL = /^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/;
/** Web identity providers STS knows by name; they appear as `Principal: { Federated: ... }`. */
const WEB_IDENTITY_PROVIDERS = new Set(['cognito-identity.amazonaws.com', 'accounts.google.com', 'graph.facebook.com', 'www.amazon.com']);

/** Turns the `principal` of a check into the request's principal. */
export function resolvePrincipal(catalog: Catalog, principal: IConstruct | string, sessionName: string): PrincipalInfo {
  if (typeof principal !== 'string') {
    if (!principal || !principal.node) {
      throw new Error(`AccessModel: principal must be a construct (role or user) or an ARN string, got ${JSON.stringify(principal)}.`);
    }
    const target = catalog.targetOf(principal, 'principal');
    if (target.arn) return resolvePrincipal(catalog, target.arn, sessionName);
    const type = target.entry!.resource.Type;
    // A Lambda function, instance profile user... acts through its grantPrincipal (its role).
    const grantPrincipal = (principal as unknown as { grantPrincipal?: IConstruct }).grantPrincipal;
    if (type !== 'AWS::IAM::Role' && type !== 'AWS::IAM::User' && grantPrincipal && grantPrincipal !== principal && grantPrincipal.node) {
      return resolvePrincipal(catalog, grantPrincipal, sessionName);
    }
    return fromEntry(catalog, target.entry!, sessionName);
  }
  if (WEB_IDENTITY_PROVIDERS.has(principal) || /^arn:[a-z-]+:iam::\d{12}:(oidc-provider|saml-provider)\/.+$/.test(principal)) {
    return { kind: 'federated', requestArn: principal, principalArn: principal, tags: {}, description: `federated identity provider ${principal}` };
  }
  if (SERVICE_PRINCIPAL.test(principal)) {
    return { kind: 'service', requestArn: principal, principalArn: principal, tags: {}, description: `service principal ${principal}` };
  }
  const m = /^arn:([a-z-]+):(iam|sts)::(\d{12}):(.+)$/.exec(principal);
  if (!m) {
    throw new Error(`AccessModel: principal '${principal}' is not an IAM role, user, assumed-role or root ARN, nor a service principal (like 'lambda.amazonaws.com').`);
  }
  const [, partition, service, account, rest] = m;
  if (service === 'iam' && rest === 'root') {
    return { kind: 'root', requestArn: principal, principalArn: principal, account, userId: account, tags: {}, description: `root of account ${account}` };
  }
  let type: 'AWS::IAM::Role' | 'AWS::IAM::User';
  let name: string;
  let session = sessionName;
  if (service === 'sts' && rest.startsWith('assumed-role/')) {
    const parts = rest.split('/');
    if (parts.length !== 3) throw new Error(`AccessModel: principal '${principal}' is not of the form arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION.`);
    type = 'AWS::IAM::Role';
    name = parts[1];
    session = parts[2];
  } else if (service === 'iam' && (rest.startsWith('role/') || rest.startsWith('user/'))) {
    type = rest.startsWith('role/') ? 'AWS::IAM::Role' : 'AWS::IAM::User';
    name = rest.slice(rest.lastIndexOf('/') + 1);
  } else {
    throw new Error(`AccessModel: principal '${principal}' is not an IAM role, user, assumed-role or root ARN.`);
  }
  const entry = catalog.iamEntity(type, account, name);
  if (entry) return fromEntry(catalog, entry, session);
  // A principal the stacks do not contain (another account's role, a pre-existing user...).
  if (type === 'AWS::IAM::Role') {
    return {
      kind: 'role', requestArn: `arn:${partition}:sts::${account}:assumed-role/${name}/${session}`,
      principalArn: service === 'iam' ? principal : `arn:${partition}:iam::${account}:role/${name}`,
      account, name, tags: {}, description: `role ${name} of account ${account} (not in the stacks)`,
    };
  }
  return { kind: 'user', requestArn: principal, principalArn: principal, account, name, tags: {}, description: `user ${name} of account ${account} (not in the stacks)` };
}

function fromEntry(catalog: Catalog, entry: Entry, sessionName: string): PrincipalInfo {
  const physical = catalog.physical(entry);
  const { account, partition } = entry.stack;
  const name = physical.name();
  const arn = physical.arn();
  switch (entry.resource.Type) {
    case 'AWS::IAM::Role':
      return {
        kind: 'role', requestArn: `arn:${partition}:sts::${account}:assumed-role/${name}/${sessionName}`, principalArn: arn,
        account, entry, name, userId: `${physical.getAtt('RoleId')}:${sessionName}`, tags: catalog.tags(entry), description: entryName(entry),
      };
    case 'AWS::IAM::User':
      return {
        kind: 'user', requestArn: arn, principalArn: arn, account, entry, name,
        userId: String(physical.getAtt('UserId')), tags: catalog.tags(entry), description: entryName(entry),
      };
    default:
      throw new Error(`AccessModel: principal ${entryName(entry)} is not an IAM role or user; requests are made by roles (their sessions) and users.`);
  }
}
