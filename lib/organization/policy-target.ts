import { Token } from 'aws-cdk-lib';
import { IOrganizationalUnit } from './organizational-units';

/**
 * Where an organization policy (SCP, RCP) is attached: the root, an OU or an account. A policy on the
 * root or an OU applies to every account below it.
 */
export class PolicyTarget {
  /** The organization's root (`r-...`): every account of the organization but the management account. */
  public static root(rootId: string): PolicyTarget {
    if (!Token.isUnresolved(rootId) && !/^r-[0-9a-z]{4,32}$/.test(rootId)) {
      throw new Error(`PolicyTarget.root: rootId must look like r-a1b2 ("r-" and 4 to 32 lower-case letters or digits), got "${rootId}"`);
    }
    return new PolicyTarget(rootId, `root ${rootId}`, rootId);
  }

  /** One OU of an `OrganizationalUnits` tree. */
  public static organizationalUnit(unit: IOrganizationalUnit): PolicyTarget {
    return new PolicyTarget(unit.organizationalUnitId, `OU ${unit.path} (${unit.node.path})`, `construct:${unit.node.path}`);
  }

  /** An existing OU, by id (`ou-...`). */
  public static organizationalUnitId(organizationalUnitId: string): PolicyTarget {
    if (!Token.isUnresolved(organizationalUnitId) && !/^ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/.test(organizationalUnitId)) {
      throw new Error(`PolicyTarget.organizationalUnitId: organizationalUnitId must look like ou-a1b2-c3d4e5f6, got "${organizationalUnitId}"`);
    }
    return new PolicyTarget(organizationalUnitId, `OU ${organizationalUnitId}`, organizationalUnitId);
  }

  /** One member account, by its 12-digit id. */
  public static account(accountId: string): PolicyTarget {
    if (!Token.isUnresolved(accountId) && !/^\d{12}$/.test(accountId)) {
      throw new Error(`PolicyTarget.account: accountId must be a 12-digit AWS account id, got "${accountId}"`);
    }
    return new PolicyTarget(accountId, `account ${accountId}`, accountId);
  }

  /** The id written into the policy's `TargetIds` (a token for an OU of this app). */
  public readonly targetId: string;
  /** What the target is, for messages. */
  public readonly description: string;
  /** @internal Identifies the target across policies of the app, to count the policies on it. */
  public readonly _key: string;

  private constructor(targetId: string, description: string, key: string) {
    this.targetId = targetId;
    this.description = description;
    this._key = key;
  }
}
