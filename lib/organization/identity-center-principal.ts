import { Token } from 'aws-cdk-lib';

/** Identity Store ids: a UUID, optionally after a 10-hex-digit store prefix. */
const ID = /^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$/;

/** A group or user of the IAM Identity Center identity store, to assign a `PermissionSet` to. */
export class IdentityCenterPrincipal {
  /** A group, by its identity store id (`GroupId`, e.g. `906757b2f3-4a5b6c7d-...`), as `aws identitystore list-groups` shows it. */
  public static group(groupId: string): IdentityCenterPrincipal {
    return new IdentityCenterPrincipal('GROUP', checkId('group', groupId));
  }

  /** A user, by its identity store id (`UserId`). Prefer groups: a user's access then follows group membership. */
  public static user(userId: string): IdentityCenterPrincipal {
    return new IdentityCenterPrincipal('USER', checkId('user', userId));
  }

  /** `GROUP` or `USER`, as CloudFormation's `PrincipalType`. */
  public readonly principalType: string;
  /** The identity store id. */
  public readonly principalId: string;

  private constructor(principalType: string, principalId: string) {
    this.principalType = principalType;
    this.principalId = principalId;
  }
}

function checkId(kind: string, id: string): string {
  if (!Token.isUnresolved(id) && !ID.test(id)) {
    throw new Error(`IdentityCenterPrincipal.${kind}: ${kind}Id must be an identity store id (a UUID, optionally after a 10-hex-digit prefix: 906757b2f3-4a5b6c7d-1e2f-3a4b-5c6d-7e8f9a0b1c2d), not a name or email, got "${id}"`);
  }
  return id;
}
