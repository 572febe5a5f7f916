import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  Guardrail, Guardrails, IdentityCenterPrincipal, OrganizationalUnits, PermissionSet, PermissionSetBoundary, PolicyTarget,
} from '../lib';
import { Example } from './example';

/** Placeholders for `cdk synth` without context; pass real values with `-c key=value`. */
const DEFAULTS: Record<string, string> = {
  'management-account': '111111111111',
  'root-id': 'r-a1b2',
  'instance-arn': 'arn:aws:sso:::instance/ssoins-0123456789abcdef',
  'developers-group': '906757b2f3-4a5b6c7d-1e2f-3a4b-5c6d-7e8f9a0b1c2d',
  'auditors-group': '906757b2f3-5b6c7d8e-2f3a-4b5c-6d7e-8f9a0b1c2d3e',
  'prod-account': '222222222222',
  'dev-account': '333333333333',
  'audit-account': '444444444444',
  'allowed-regions': 'us-east-1,eu-west-1',
};

/**
 * An organization's guardrails, deployed in its management account: an OU tree (`Security`,
 * `Workloads/Prod`, `Workloads/Dev`) with the existing accounts moved into it, guardrail SCPs on the
 * workload OUs (no leaving the organization, no root user, only the allowed regions, security services
 * stay on, no DynamoDB in Dev, IMDSv2 only, the audit role and CDK's bootstrap roles protected; the
 * `BreakGlass` role exempt) and on the Security OU, and IAM Identity Center permission sets: developers
 * get `PowerUserAccess` under a boundary in the workload accounts, auditors get `SecurityAudit` and
 * `ReadOnlyAccess` everywhere.
 *
 * Context: `management-account`, `root-id` (`aws organizations list-roots`), `instance-arn`
 * (`aws sso-admin list-instances`), `developers-group` and `auditors-group` (identity store group ids),
 * `prod-account`, `dev-account`, `audit-account`, `allowed-regions` (comma-separated). The accounts
 * exist already: `cdk import` them into the stack before the first deploy, or CloudFormation tries to
 * create new ones. The `DeveloperBoundary` policy the developer permission set names must exist in
 * every workload account (the organization-rollout example shows how to roll out such a stack).
 */
export const organizationGuardrails: Example = {
  name: 'organization-guardrails',
  description: 'an OU tree with guardrail SCPs and IAM Identity Center permission sets assigned per OU',
  build(scope: Construct) {
    const context = (key: string): string => scope.node.tryGetContext(key) ?? DEFAULTS[key];
    const regions = context('allowed-regions').split(',').map((r) => r.trim());
    const stack = new Stack(scope, 'OrganizationGuardrails', {
      env: { account: context('management-account'), region: regions[0] },
      description: 'cdk-security-patterns organization-guardrails example: OUs, guardrail SCPs and permission sets (management account)',
    });

    const ous = new OrganizationalUnits(stack, 'Ous', {
      parentId: context('root-id'),
      paths: ['Security', 'Workloads/Prod', 'Workloads/Dev'],
      accounts: [
        { accountId: context('prod-account'), path: 'Workloads/Prod', accountName: 'prod', email: `aws+${context('prod-account')}@example.com` },
        { accountId: context('dev-account'), path: 'Workloads/Dev', accountName: 'dev', email: `aws+${context('dev-account')}@example.com` },
        { accountId: context('audit-account'), path: 'Security', accountName: 'audit', email: `aws+${context('audit-account')}@example.com` },
      ],
    });

    // Every account below the root of the tree: the baseline. BreakGlass is exempt (and protected).
    new Guardrails(stack, 'Baseline', {
      policyNamePrefix: 'baseline-guardrails',
      guardrails: [
        Guardrail.denyLeavingOrganization(),
        Guardrail.denyRootUser(),
        Guardrail.allowOnlyRegions(regions),
        Guardrail.protectSecurityServices(),
        Guardrail.requireImdsv2(),
        Guardrail.protectRoles(['SecurityAudit', ...Guardrail.cdkBootstrapRoleNames()]),
      ],
      exemptRoles: ['BreakGlass'],
      targets: [PolicyTarget.organizationalUnit(ous.get('Workloads')), PolicyTarget.organizationalUnit(ous.get('Security'))],
    });
    // The seed's example: no DynamoDB in the Dev OU.
    new Guardrails(stack, 'Dev', {
      policyNamePrefix: 'dev-guardrails',
      guardrails: [Guardrail.denyServices(['dynamodb'])],
      maxPolicies: 1,
      targets: [PolicyTarget.organizationalUnit(ous.get('Workloads/Dev'))],
    });

    const instanceArn = context('instance-arn');
    const developer = new PermissionSet(stack, 'Developer', {
      instanceArn,
      permissionSetName: 'Developer',
      description: 'Developers: PowerUserAccess in the workload accounts, capped by DeveloperBoundary',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('PowerUserAccess')],
      permissionsBoundary: PermissionSetBoundary.fromCustomerManagedPolicy({ name: 'DeveloperBoundary' }),
      inlinePolicy: new iam.PolicyDocument({
        statements: [new iam.PolicyStatement({
          sid: 'NoProdSecretValues',
          effect: iam.Effect.DENY,
          actions: ['secretsmanager:GetSecretValue'],
          resources: ['arn:aws:secretsmanager:*:*:secret:prod/*'],
        })],
      }),
      sessionDuration: Duration.hours(4),
    });
    developer.assignToOrganizationalUnit(IdentityCenterPrincipal.group(context('developers-group')), ous, 'Workloads');

    const auditor = new PermissionSet(stack, 'Auditor', {
      instanceArn,
      permissionSetName: 'Auditor',
      description: 'Auditors: read-only and security audit access in every account',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('SecurityAudit'), iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
      sessionDuration: Duration.hours(1),
      relayState: 'https://console.aws.amazon.com/securityhub/home',
    });
    const auditors = IdentityCenterPrincipal.group(context('auditors-group'));
    auditor.assignToOrganizationalUnit(auditors, ous, 'Workloads');
    auditor.assignToOrganizationalUnit(auditors, ous, 'Security');
    return [stack];
  },
};
