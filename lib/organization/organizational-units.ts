import { CfnResource, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import { Construct, IConstruct } from 'constructs';

/** An organizational unit (OU) of AWS Organizations. */
export interface IOrganizationalUnit extends IConstruct {
  /** The OU's id (`ou-...`), known at deploy time. */
  readonly organizationalUnitId: string;
  /** The OU's path in its `OrganizationalUnits` tree, e.g. `Workloads/Prod`. */
  readonly path: string;
}

/** An existing member account placed into an OU of `OrganizationalUnits`. */
export interface MemberAccount {
  /** The account's 12-digit id. */
  readonly accountId: string;
  /** The path of the OU it goes into, one of `OrganizationalUnitsProps.paths` (or a parent of one). */
  readonly path: string;
  /** The account's name, as Organizations lists it (CloudFormation requires it). */
  readonly accountName: string;
  /** The email address of the account's root user, as Organizations lists it (CloudFormation requires it). */
  readonly email: string;
}

/** Properties of `OrganizationalUnits`. */
export interface OrganizationalUnitsProps {
  /**
   * Where the tree hangs: the organization's root (`r-...`) or an existing OU (`ou-...`).
   */
  readonly parentId: string;

  /**
   * The OUs, each by its path of OU names separated by `/`: `['Security', 'Workloads/Prod', 'Workloads/Dev']`.
   * The parents of a nested path are created too (`Workloads` above). Organizations nests OUs at most
   * five levels deep under the root.
   */
  readonly paths: string[];

  /**
   * Existing member accounts to move into OUs of the tree.
   *
   * Each becomes an `AWS::Organizations::Account` resource (retained when removed from the stack, so
   * the account is never closed). CloudFormation creates a new account for such a resource: for an
   * account that already exists, bring it into the stack with `cdk import` (its id is the identifier)
   * before deploying the move.
   *
   * @default - no account is moved
   */
  readonly accounts?: MemberAccount[];
}

/** Organizations nests OUs at most five levels deep under the root. */
const MAX_DEPTH = 5;

/**
 * A tree of organizational units from a list of paths, each OU addressable by its path
 * (`ous.get('Workloads/Prod')`), with existing member accounts placed into them by id. Deploy it in
 * the organization's management account (or a delegated administrator for Organizations).
 */
export class OrganizationalUnits extends Construct {
  /** Every OU path of the tree, parents first. */
  public readonly paths: string[];

  private readonly units = new Map<string, OrganizationalUnit>();
  private readonly accounts: MemberAccount[];

  constructor(scope: Construct, id: string, props: OrganizationalUnitsProps) {
    super(scope, id);
    const where = `OrganizationalUnits ${this.node.path}`;
    if (!Token.isUnresolved(props.parentId) && !/^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[0-9a-z]{8,32})$/.test(props.parentId)) {
      throw new Error(`${where}: parentId must be the organization's root id (r-xxxx) or an OU id (ou-xxxx-xxxxxxxx), got "${props.parentId}"`);
    }
    if (props.paths.length === 0) {
      throw new Error(`${where}: paths must name at least one OU, got an empty list; e.g. ['Security', 'Workloads/Prod']`);
    }
    for (const path of props.paths) {
      const names = path.split('/');
      if (names.some((n) => n.trim() === '' || n !== n.trim() || n.length > 128)) {
        throw new Error(`${where}: "${path}" is not an OU path; write OU names of 1 to 128 characters without leading or trailing spaces, separated by single "/", e.g. "Workloads/Prod"`);
      }
      if (names.length > MAX_DEPTH) {
        throw new Error(`${where}: "${path}" nests ${names.length} OUs deep, but Organizations allows at most ${MAX_DEPTH} levels under the root; flatten the tree`);
      }
      if (names.includes('Resource')) {
        throw new Error(`${where}: "${path}" uses the OU name "Resource", which this construct reserves for its own resources; choose another name`);
      }
      for (let i = 1; i <= names.length; i++) this.unit(names.slice(0, i).join('/'), props.parentId);
    }
    this.paths = [...this.units.keys()];

    this.accounts = [];
    const placed = new Map<string, string>();
    for (const account of props.accounts ?? []) {
      if (!Token.isUnresolved(account.accountId) && !/^\d{12}$/.test(account.accountId)) {
        throw new Error(`${where}: accountId must be a 12-digit AWS account id, got "${account.accountId}"`);
      }
      const unit = this.units.get(account.path);
      if (!unit) {
        throw new Error(`${where}: account ${account.accountId} goes into "${account.path}", which is not an OU of the tree (${this.paths.join(', ')}); add the path to paths`);
      }
      const earlier = placed.get(account.accountId);
      if (earlier !== undefined) {
        throw new Error(`${where}: account ${account.accountId} is placed twice, into "${earlier}" and "${account.path}"; an account belongs to exactly one OU`);
      }
      placed.set(account.accountId, account.path);
      const resource = new organizations.CfnAccount(unit, `Account${account.accountId}`, {
        accountName: account.accountName,
        email: account.email,
        parentIds: [unit.organizationalUnitId],
      });
      // deleting this resource would close the account: it stays when the stack lets go of it
      resource.applyRemovalPolicy(RemovalPolicy.RETAIN);
      this.accounts.push(account);
    }
  }

  /** The OU at `path` (e.g. `Workloads/Prod`). */
  public get(path: string): IOrganizationalUnit {
    const unit = this.units.get(path);
    if (!unit) {
      throw new Error(`OrganizationalUnits ${this.node.path}: no OU at "${path}"; the tree has ${this.paths.join(', ')}`);
    }
    return unit;
  }

  /** The ids of the member accounts placed into the OU at `path` or into any OU below it. */
  public accountsUnder(path: string): string[] {
    this.get(path);
    return this.accounts.filter((a) => a.path === path || a.path.startsWith(`${path}/`)).map((a) => a.accountId);
  }

  private unit(path: string, rootParentId: string): OrganizationalUnit {
    const existing = this.units.get(path);
    if (existing) return existing;
    const slash = path.lastIndexOf('/');
    const parent = slash < 0 ? undefined : this.unit(path.slice(0, slash), rootParentId);
    const name = path.slice(slash + 1);
    const unit = new OrganizationalUnit(parent ?? this, name, { name, path, parentId: parent ? parent.organizationalUnitId : rootParentId });
    this.units.set(path, unit);
    return unit;
  }
}

interface OrganizationalUnitProps {
  readonly name: string;
  readonly path: string;
  readonly parentId: string;
}

/** One OU of the tree; its construct id is its name, nested like the OUs. */
class OrganizationalUnit extends Construct implements IOrganizationalUnit {
  public readonly organizationalUnitId: string;
  public readonly path: string;
  public readonly resource: CfnResource;

  constructor(scope: Construct, id: string, props: OrganizationalUnitProps) {
    super(scope, id);
    const resource = new organizations.CfnOrganizationalUnit(this, 'Resource', { name: props.name, parentId: props.parentId });
    this.resource = resource;
    this.organizationalUnitId = resource.attrId;
    this.path = props.path;
  }
}
