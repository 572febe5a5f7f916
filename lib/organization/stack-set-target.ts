import { Token } from 'aws-cdk-lib';
import { IOrganizationalUnit } from './organizational-units';

const OU_ID = /^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/;

/**
 * Where a service-managed StackSet deploys: every account of an OU (and of the OUs below it), or of
 * the whole organization (its root). Accounts that join later get the stack too, with
 * `autoDeployment`.
 */
export class StackSetTarget {
  /** An OU of an `OrganizationalUnits` tree, e.g. `StackSetTarget.organizationalUnit(ous.get('Workloads'))`. */
  public static organizationalUnit(unit: IOrganizationalUnit): StackSetTarget {
    return new StackSetTarget(unit.organizationalUnitId, `OU ${unit.path} (${unit.node.path})`, `construct:${unit.node.path}`);
  }

  /** An existing OU by id (`ou-a1b2-c3d4e5f6`), or the organization's root (`r-a1b2`) for every account. */
  public static organizationalUnitId(organizationalUnitId: string): StackSetTarget {
    if (!Token.isUnresolved(organizationalUnitId) && !OU_ID.test(organizationalUnitId)) {
      throw new Error(`StackSetTarget.organizationalUnitId: organizationalUnitId must be an OU id such as ou-a1b2-c3d4e5f6 or the root id such as r-a1b2 (lower-case letters and digits), got "${organizationalUnitId}"`);
    }
    return new StackSetTarget(organizationalUnitId, `OU ${organizationalUnitId}`, organizationalUnitId);
  }

  /** The id written into `OrganizationalUnitIds` (a token for an OU of this app). */
  public readonly targetId: string;
  /** What the target is, for messages. */
  public readonly description: string;
  /** @internal Identifies the target, to find duplicates. */
  public readonly _key: string;

  private constructor(organizationalUnitId: string, description: string, key: string) {
    this.targetId = organizationalUnitId;
    this.description = description;
    this._key = key;
  }
}
