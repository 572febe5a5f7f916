import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledge } from '../private/acknowledge';

/** Properties of an `Ec2ServiceRole`. */
export interface Ec2ServiceRoleProps {
  /**
   * The role's name; the instance profile gets the same name.
   *
   * @default - CloudFormation-generated names
   */
  readonly roleName?: string;

  /**
   * What the instances do.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * Managed policies to attach.
   *
   * @default - none; grant with the resources' `grant*` methods
   */
  readonly managedPolicies?: iam.IManagedPolicy[];

  /**
   * The permissions boundary of the role, e.g. a `DeveloperBoundary`.
   *
   * @default - no permissions boundary
   */
  readonly permissionsBoundary?: iam.IManagedPolicy;

  /**
   * Whether the instances are managed by Systems Manager (Session Manager instead of SSH keys):
   * attaches the AWS managed policy `AmazonSSMManagedInstanceCore`.
   *
   * @default false
   */
  readonly ssmManagedInstance?: boolean;

  /**
   * Whether requests signed with credentials the instance obtained over IMDSv1 are denied
   * (`ec2:RoleDelivery` below 2.0), so an SSRF bug that reaches IMDSv1 cannot use the role.
   *
   * @default true
   */
  readonly requireImdsv2?: boolean;
}

/**
 * The role an EC2 instance runs as, with its instance profile: trusted by `ec2.amazonaws.com` only,
 * and by default usable only with credentials delivered over IMDSv2.
 */
export class Ec2ServiceRole extends Construct implements iam.IGrantable {
  /** The role. */
  public readonly role: iam.Role;
  /** The instance profile to launch instances with. */
  public readonly instanceProfile: iam.InstanceProfile;
  /** The principal that resources grant to: the instances' sessions. */
  public readonly grantPrincipal: iam.IPrincipal;
  /** The policy that denies credentials delivered over IMDSv1, unless `requireImdsv2` is false. */
  public readonly imdsv2Policy?: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: Ec2ServiceRoleProps = {}) {
    super(scope, id);
    const managedPolicies = [...(props.managedPolicies ?? [])];
    const ssmCore = iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore');
    if (props.ssmManagedInstance) {
      managedPolicies.push(ssmCore);
    }
    this.role = new iam.Role(this, 'Resource', {
      roleName: props.roleName,
      description: props.description,
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies,
      permissionsBoundary: props.permissionsBoundary,
    });
    this.grantPrincipal = this.role;

    if (props.requireImdsv2 ?? true) {
      // A managed policy rather than an inline one, so it shows up in IAM's policy list and reports.
      this.imdsv2Policy = new iam.ManagedPolicy(this, 'RequireImdsv2', {
        description: 'Denies requests signed with instance credentials delivered over IMDSv1',
        roles: [this.role],
        statements: [new iam.PolicyStatement({
          sid: 'DenyImdsv1Credentials',
          effect: iam.Effect.DENY,
          actions: ['*'],
          resources: ['*'],
          conditions: { NumericLessThan: { 'ec2:RoleDelivery': '2.0' } },
        })],
      });
    }
    if (props.ssmManagedInstance) {
      acknowledge(this.role, [{
        id: 'AwsSolutions-IAM4',
        reason: 'AmazonSSMManagedInstanceCore is the AWS-maintained minimum for Session Manager and patching; AWS updates it as the agent changes',
        appliesTo: [`Policy::${ssmCore.managedPolicyArn}`],
      }]);
    }

    this.instanceProfile = new iam.InstanceProfile(this, 'InstanceProfile', {
      role: this.role,
      instanceProfileName: props.roleName,
    });
  }
}
