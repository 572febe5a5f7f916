import * as cdk from 'aws-cdk-lib/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  CrossAccountRole, Guardrail, Guardrails, IdentityCenterPrincipal, OrganizationalUnits, OrganizationStackSet, PermissionSet,
  PermissionSetBoundary, PolicyTarget, RegionConcurrency, ResourceControlPolicy, ServiceControlPolicy, StackSetAccounts,
  StackSetTarget, TrustedAccount,
} from 'cdk-security-patterns';

const IDENTITY_CENTER = 'arn:aws:sso:::instance/ssoins-0123456789abcdef';

/** The stack a StackSet rolls out to every account of an OU (in a Stage of its own). */
export class AuditRoleStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);
    new CrossAccountRole(this, 'SecurityAudit', {
      roleName: 'SecurityAudit',
      trustedAccounts: [TrustedAccount.account('444444444444', { externalId: 'c2a4f8e6-3b1d-4e5f-9a7c-1d2e3f4a5b6c' })],
    });
  }
}

export interface OrganizationStackProps extends cdk.StackProps {
  /** The stack rolled out to the member accounts. */
  readonly rollout: cdk.Stack;
}

/** Area: organization (the management account's stack). New organization constructs go here. */
export class OrganizationStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props: OrganizationStackProps) {
    super(scope, id, props);

    const units = new OrganizationalUnits(this, 'Units', {
      parentId: 'r-a1b2',
      paths: ['Security', 'Workloads', 'Workloads/Prod'],
      accounts: [{ accountId: '444444444444', path: 'Workloads/Prod', accountName: 'prod', email: 'aws+prod@example.com' }],
    });
    new ServiceControlPolicy(this, 'NoDynamoDbInProd', {
      statements: [new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['dynamodb:DeleteTable'], resources: ['*'] })],
      targets: [PolicyTarget.organizationalUnit(units.get('Workloads/Prod'))],
    });
    new ResourceControlPolicy(this, 'OrganizationOnly', {
      statements: [new iam.PolicyStatement({
        effect: iam.Effect.DENY, principals: [new iam.StarPrincipal()], actions: ['s3:*'], resources: ['*'],
        conditions: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      })],
      targets: [PolicyTarget.root('r-a1b2')],
    });
    new Guardrails(this, 'Guardrails', {
      guardrails: [
        Guardrail.denyLeavingOrganization(),
        Guardrail.denyRootUser(),
        Guardrail.allowOnlyRegions(['us-east-1', 'us-west-2']),
        Guardrail.protectSecurityServices(),
        Guardrail.denyServices(['gamelift']),
        Guardrail.requireImdsv2(),
        Guardrail.protectRoles(Guardrail.cdkBootstrapRoleNames()),
      ],
      exemptRoles: ['BreakGlass'],
      targets: [PolicyTarget.organizationalUnitId('ou-a1b2-abcdefgh'), PolicyTarget.account('555555555555')],
    });

    new OrganizationStackSet(this, 'AuditRole', {
      stack: props.rollout,
      targets: [StackSetTarget.organizationalUnit(units.get('Workloads')), StackSetTarget.organizationalUnitId('ou-a1b2-abcdefgh')],
      // IAM is global: a role stack goes to one region
      regions: ['us-east-1'],
      maxConcurrentAccounts: StackSetAccounts.percentage(25),
      failureTolerance: StackSetAccounts.count(1),
      regionConcurrency: RegionConcurrency.PARALLEL,
    });

    // IAM Identity Center
    const developer = new PermissionSet(this, 'Developer', {
      instanceArn: IDENTITY_CENTER,
      permissionSetName: 'Developer',
      customerManagedPolicies: [{ name: 'developer-access' }],
      permissionsBoundary: PermissionSetBoundary.fromCustomerManagedPolicy({ name: 'developer-boundary' }),
      sessionDuration: cdk.Duration.hours(4),
    });
    developer.assignToOrganizationalUnit(IdentityCenterPrincipal.group('906757b2f3-4a5b6c7d-1e2f-3a4b-5c6d-7e8f9a0b1c2d'), units, 'Workloads/Prod');
    const readOnly = iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess');
    const auditor = new PermissionSet(this, 'Auditor', {
      instanceArn: IDENTITY_CENTER,
      permissionSetName: 'Auditor',
      managedPolicies: [readOnly],
      permissionsBoundary: PermissionSetBoundary.fromAwsManagedPolicy(readOnly),
    });
    auditor.assignToAccounts(IdentityCenterPrincipal.user('a1b2c3d4-1e2f-3a4b-5c6d-7e8f9a0b1c2d'), ['444444444444']);
  }
}
