import { Token } from 'aws-cdk-lib';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import { IConstruct } from 'constructs';
import { IOrganizationalUnit } from '../organization/organizational-units';

const ACCOUNT_ID = /^\d{12}$/;
const ORGANIZATION_ARN = /^arn:aws[a-z-]*:organizations::(\d{12}):organization\/(o-[a-z0-9]{10,32})$/;
const OU_ARN = /^arn:aws[a-z-]*:organizations::(\d{12}):ou\/(o-[a-z0-9]{10,32})\/ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/;

/** What kind of principal a `SharePrincipal` is. */
export enum SharePrincipalType {
  /** One AWS account of the organization. */
  ACCOUNT = 'ACCOUNT',
  /** Every account of an organizational unit and of the OUs below it. */
  ORGANIZATIONAL_UNIT = 'ORGANIZATIONAL_UNIT',
  /** Every account of the organization. */
  ORGANIZATION = 'ORGANIZATION',
}

/**
 * Who a resource share shares with: accounts, organizational units or the whole organization of AWS
 * Organizations. RAM names accounts by id and OUs and organizations by ARN; each factory checks the
 * form it is given (unresolved tokens are taken as they are).
 */
export class SharePrincipal {
  /** One member account of the organization, by its 12-digit id. */
  public static account(accountId: string): SharePrincipal {
    if (!Token.isUnresolved(accountId) && !ACCOUNT_ID.test(accountId)) {
      throw new Error(`SharePrincipal.account: accountId must be a 12-digit AWS account id, got "${accountId}"; `
        + 'share with an OU or the organization through SharePrincipal.organizationalUnitArn() or SharePrincipal.organization()');
    }
    return new SharePrincipal(SharePrincipalType.ACCOUNT, accountId, `account ${accountId}`);
  }

  /**
   * Every account of an OU (and of the OUs below it), by the OU's ARN:
   * `arn:aws:organizations::<management account>:ou/o-<org>/ou-<root>-<ou>`.
   */
  public static organizationalUnitArn(organizationalUnitArn: string): SharePrincipal {
    let organizationId: string | undefined;
    let managementAccount: string | undefined;
    if (!Token.isUnresolved(organizationalUnitArn)) {
      const match = OU_ARN.exec(organizationalUnitArn);
      if (!match) {
        const hint = /^ou-/.test(organizationalUnitArn) ? ' RAM names an OU by its ARN, not its id;' : '';
        throw new Error(`SharePrincipal.organizationalUnitArn: expected an OU ARN such as arn:aws:organizations::111111111111:ou/o-a1b2c3d4e5/ou-a1b2-c3d4e5f6, got "${organizationalUnitArn}";${hint} `
          + 'Organizations shows it in the OU\'s details (aws organizations describe-organizational-unit)');
      }
      managementAccount = match[1];
      organizationId = match[2];
    }
    return new SharePrincipal(SharePrincipalType.ORGANIZATIONAL_UNIT, organizationalUnitArn, `OU ${organizationalUnitArn}`, organizationId, managementAccount);
  }

  /**
   * Every account of an OU of an `OrganizationalUnits` tree (`ous.get('Workloads/Prod')`) and of the
   * OUs below it. The share references the OU's ARN, so the tree must be in the share's stack or in
   * another stack of the same account and region (a management or delegated administrator account);
   * from any other account, use `organizationalUnitArn()`.
   */
  public static organizationalUnit(unit: IOrganizationalUnit): SharePrincipal {
    const resource = unit.node.tryFindChild('Resource');
    if (!(resource instanceof organizations.CfnOrganizationalUnit)) {
      throw new Error(`SharePrincipal.organizationalUnit: ${unit.node.path} is not an OU created by OrganizationalUnits (no AWS::Organizations::OrganizationalUnit child "Resource"); `
        + 'name an existing OU with SharePrincipal.organizationalUnitArn(arn)');
    }
    return new SharePrincipal(SharePrincipalType.ORGANIZATIONAL_UNIT, resource.attrArn, `OU ${unit.path} (${unit.node.path})`, undefined, undefined, unit);
  }

  /** Every account of the organization, by its ARN: `arn:aws:organizations::<management account>:organization/o-<org>`. */
  public static organization(organizationArn: string): SharePrincipal {
    let organizationId: string | undefined;
    let managementAccount: string | undefined;
    if (!Token.isUnresolved(organizationArn)) {
      const match = ORGANIZATION_ARN.exec(organizationArn);
      if (!match) {
        const hint = /^o-/.test(organizationArn) ? ' RAM names an organization by its ARN, not its id;' : '';
        throw new Error(`SharePrincipal.organization: expected an organization ARN such as arn:aws:organizations::111111111111:organization/o-a1b2c3d4e5, got "${organizationArn}";${hint} `
          + '`aws organizations describe-organization` shows it');
      }
      managementAccount = match[1];
      organizationId = match[2];
    }
    return new SharePrincipal(SharePrincipalType.ORGANIZATION, organizationArn, `organization ${organizationArn}`, organizationId, managementAccount);
  }

  /** What kind of principal this is. */
  public readonly type: SharePrincipalType;
  /** The value written into the share's `Principals`: an account id, or an OU or organization ARN. */
  public readonly principal: string;
  /** What the principal is, for messages. */
  public readonly description: string;
  /** The organization (`o-...`) an OU or organization ARN names; undefined for accounts and tokens. */
  public readonly organizationId?: string;
  /** The management account an OU or organization ARN names; undefined for accounts and tokens. */
  public readonly managementAccount?: string;
  /** @internal The OU construct, for an OU of this app. */
  public readonly _unit?: IConstruct;

  private constructor(type: SharePrincipalType, principal: string, description: string,
    organizationId?: string, managementAccount?: string, unit?: IConstruct) {
    this.type = type;
    this.principal = principal;
    this.description = description;
    this.organizationId = organizationId;
    this.managementAccount = managementAccount;
    this._unit = unit;
  }
}
