import { Annotations, Names, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ram from 'aws-cdk-lib/aws-ram';
import { Construct } from 'constructs';
import { SharePrincipal, SharePrincipalType } from './share-principal';

/** The AWS managed RAM permission for subnets (the only one RAM offers for `ec2:Subnet`). */
const SUBNET_PERMISSION_NAME = 'AWSRAMDefaultPermissionSubnet';

/**
 * VPC quotas that apply per VPC and per participant account (both adjustable through Service Quotas,
 * so exceeding them at synth is a warning, not an error).
 */
const PARTICIPANT_ACCOUNTS_PER_VPC = 100;
const SUBNETS_SHARED_WITH_AN_ACCOUNT = 100;

/** Properties of `SharedSubnets`. */
export interface SharedSubnetsProps {
  /**
   * The VPC whose subnets are shared. It must belong to the account and region of this construct's
   * stack: RAM shares only resources the sharing account owns, in the share's region.
   */
  readonly vpc: ec2.IVpc;

  /**
   * Which subnets of the VPC to share.
   *
   * @default - every private subnet of the VPC (`PRIVATE_WITH_EGRESS` and `PRIVATE_ISOLATED`);
   * public subnets are shared only when selected here
   */
  readonly subnets?: ec2.SubnetSelection;

  /**
   * Who the subnets are shared with: accounts, OUs or the organization. At least one; each at most once.
   * Subnets can be shared only within the organization of the VPC's account.
   */
  readonly principals: SharePrincipal[];

  /**
   * The name of the resource share, as RAM lists it to the owner and the participants.
   *
   * @default - a name derived from the construct's path, unique in the account
   */
  readonly resourceShareName?: string;
}

/**
 * Shares chosen subnets of a VPC with accounts, OUs or the whole organization through AWS RAM, so
 * their workloads launch into a network that a network account owns and they cannot change.
 *
 * The resource share never allows principals outside the organization (VPC shares subnets only
 * within it, and RAM's own default would allow them) and grants the AWS managed permission
 * `AWSRAMDefaultPermissionSubnet`. Resource sharing with AWS Organizations must be enabled in the
 * management account (`aws ram enable-sharing-with-aws-organization`) to share with OUs or the
 * organization.
 */
export class SharedSubnets extends Construct {
  /** The RAM resource share. */
  public readonly resourceShare: ram.CfnResourceShare;
  /** The ARN of the resource share. */
  public readonly resourceShareArn: string;
  /** The ARN of the managed permission the share grants (`AWSRAMDefaultPermissionSubnet`). */
  public readonly permissionArn: string;
  /** The shared subnets. */
  public readonly subnets: ec2.ISubnet[];
  /** Who the subnets are shared with. */
  public readonly principals: SharePrincipal[];

  constructor(scope: Construct, id: string, props: SharedSubnetsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const where = `SharedSubnets ${this.node.path}`;

    checkOwnership(where, stack, props.vpc);
    this.principals = checkPrincipals(where, stack, props.principals);
    this.subnets = selectSubnets(where, props.vpc, props.subnets);

    const accounts = this.principals.filter((p) => p.type === SharePrincipalType.ACCOUNT).length;
    if (accounts > PARTICIPANT_ACCOUNTS_PER_VPC) {
      Annotations.of(this).addWarningV2('@cdk-security-patterns/sharing:participantAccounts',
        `${where}: shares with ${accounts} accounts, but a VPC has at most ${PARTICIPANT_ACCOUNTS_PER_VPC} participant accounts unless the quota "Participant accounts per VPC" was raised; `
        + 'raise it first, or share with an OU');
    }
    if (this.subnets.length > SUBNETS_SHARED_WITH_AN_ACCOUNT) {
      Annotations.of(this).addWarningV2('@cdk-security-patterns/sharing:subnetsPerAccount',
        `${where}: shares ${this.subnets.length} subnets, but an account can be shared at most ${SUBNETS_SHARED_WITH_AN_ACCOUNT} unless the quota "Subnets that can be shared with an account" was raised`);
    }

    const name = props.resourceShareName ?? Names.uniqueResourceName(this, { maxLength: 255, separator: '-' });
    if (!Token.isUnresolved(name) && (name.trim().length === 0 || name.length > 255)) {
      throw new Error(`${where}: resourceShareName must be 1 to 255 characters and not blank, got "${name}"`);
    }

    this.permissionArn = stack.formatArn({ service: 'ram', region: '', account: 'aws', resource: 'permission', resourceName: SUBNET_PERMISSION_NAME });
    this.resourceShare = new ram.CfnResourceShare(this, 'Resource', {
      name,
      // RAM's default is true: written out so no one can later associate an account outside the organization
      allowExternalPrincipals: false,
      permissionArns: [this.permissionArn],
      principals: this.principals.map((p) => p.principal),
      resourceArns: this.subnets.map((subnet) => stack.formatArn({ service: 'ec2', resource: 'subnet', resourceName: subnet.subnetId })),
    });
    this.resourceShareArn = this.resourceShare.attrArn;
  }
}

function checkOwnership(where: string, stack: Stack, vpc: ec2.IVpc): void {
  const { account, region } = vpc.env;
  if (!Token.isUnresolved(account) && !Token.isUnresolved(stack.account) && account !== stack.account) {
    throw new Error(`${where}: the VPC belongs to account ${account}, but this stack deploys to account ${stack.account}; `
      + 'RAM shares only resources the sharing account owns: put the share in a stack of the VPC\'s account');
  }
  if (!Token.isUnresolved(region) && !Token.isUnresolved(stack.region) && region !== stack.region) {
    throw new Error(`${where}: the VPC is in region ${region}, but this stack deploys to ${stack.region}; `
      + 'a resource share holds resources of its own region only: put the share in a stack of the VPC\'s region');
  }
}

function checkPrincipals(where: string, stack: Stack, principals: SharePrincipal[]): SharePrincipal[] {
  if (principals.length === 0) {
    throw new Error(`${where}: principals must name at least one account, OU or organization, got an empty list; `
      + 'e.g. [SharePrincipal.organizationalUnitArn(\'arn:aws:organizations::111111111111:ou/o-a1b2c3d4e5/ou-a1b2-c3d4e5f6\')]');
  }
  const seen = new Set<string>();
  const organizations = new Map<string, string>();
  for (const principal of principals) {
    const key = Token.isUnresolved(principal.principal) ? stack.resolve(principal.principal) : principal.principal;
    const keyText = JSON.stringify(key);
    if (seen.has(keyText)) {
      throw new Error(`${where}: ${principal.description} is named twice in principals; name each principal once`);
    }
    seen.add(keyText);
    if (principal.type === SharePrincipalType.ACCOUNT && !Token.isUnresolved(principal.principal)
      && !Token.isUnresolved(stack.account) && principal.principal === stack.account) {
      throw new Error(`${where}: principals name account ${principal.principal}, the account that owns the subnets; `
        + 'an account cannot share with itself: leave it out');
    }
    if (principal.organizationId !== undefined) {
      organizations.set(principal.organizationId, principal.description);
    }
    if (principal._unit !== undefined) {
      const unitStack = Stack.of(principal._unit);
      for (const [what, theirs, ours] of [['account', unitStack.account, stack.account], ['region', unitStack.region, stack.region]]) {
        if (!Token.isUnresolved(theirs) && !Token.isUnresolved(ours) && theirs !== ours) {
          throw new Error(`${where}: ${principal.description} is created in ${what} ${theirs}, but the share deploys to ${what} ${ours}, and CloudFormation `
            + 'cannot reference a resource across accounts or regions; name the OU by its ARN with SharePrincipal.organizationalUnitArn(arn)');
        }
      }
    }
  }
  if (organizations.size > 1) {
    const list = [...organizations.entries()].map(([id, description]) => `${id} (${description})`).join(', ');
    throw new Error(`${where}: principals belong to ${organizations.size} organizations: ${list}; subnets can be shared only within the organization `
      + 'of the account that owns them, and this share allows no principal outside it: keep the principals of that organization');
  }
  return [...principals];
}

function selectSubnets(where: string, vpc: ec2.IVpc, selection?: ec2.SubnetSelection): ec2.ISubnet[] {
  let subnets: ec2.ISubnet[];
  if (selection) {
    subnets = vpc.selectSubnets(selection).subnets;
  } else {
    subnets = [...vpc.privateSubnets, ...vpc.isolatedSubnets];
  }
  if (subnets.length === 0) {
    const what = selection ? 'the subnet selection picks no subnet of the VPC' : 'the VPC has no private or isolated subnets to share by default';
    throw new Error(`${where}: ${what}; select at least one subnet with subnets (e.g. { subnetGroupName: 'App' }). `
      + `The VPC has ${describeSubnets(vpc)}`);
  }
  const ids = new Set<string>();
  for (const subnet of subnets) {
    const id = Token.isUnresolved(subnet.subnetId) ? JSON.stringify(Stack.of(vpc).resolve(subnet.subnetId)) : subnet.subnetId;
    if (ids.has(id)) {
      throw new Error(`${where}: the subnet selection picks subnet ${subnet.node.path} twice; select each subnet once`);
    }
    ids.add(id);
  }
  return subnets;
}

function describeSubnets(vpc: ec2.IVpc): string {
  const groups = [
    ['public', vpc.publicSubnets.length],
    ['private', vpc.privateSubnets.length],
    ['isolated', vpc.isolatedSubnets.length],
  ].map(([type, count]) => `${count} ${type}`);
  return `${groups.join(', ')} subnets.`;
}

