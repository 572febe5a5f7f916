import { Duration, Stack, Stage } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  Acknowledgements, CrossAccountRole, Guardrail, Guardrails, OrganizationStackSet, PolicyTarget, RegionConcurrency, StackSetAccounts, StackSetTarget,
  TrustedAccount,
} from '../lib';
import { Example } from './example';

/** Placeholders for `cdk synth` without context; pass real values with `-c key=value`. */
const DEFAULTS: Record<string, string> = {
  'management-account': '111111111111',
  'audit-account': '444444444444',
  'workloads-ou': 'ou-a1b2-c3d4e5f6',
  'region': 'us-east-1',
  // a fixed random value, so the template stays the same between synths
  'external-id': '3f0c6f1e-8a47-4c1d-9b52-7e2d5a9c4b61',
};

/**
 * An audit role in every account of an OU: the `SecurityAudit` role (AWS's `SecurityAudit` policy,
 * one-hour sessions) that only the audit account may assume, with its ExternalId, is written as an
 * ordinary CDK stack and rolled out by a service-managed StackSet to every account of the workloads
 * OU, and to every account that joins the OU later. A guardrail SCP keeps the role
 * as rolled out: nobody in the member accounts can change it, except the StackSets execution role
 * (`stacksets-exec-*`), which is itself protected from impostors.
 *
 * Context: `management-account`, `audit-account`, `workloads-ou` (`ou-...`), `region` (of the
 * StackSet and of the role's stack instances), `external-id`. Deploy the `OrganizationRollout` stack in the management
 * account, with trusted access for CloudFormation StackSets enabled in Organizations; the
 * `OrganizationRolloutTemplates/AuditRole` stack is the StackSet's template, never deployed by itself.
 */
export const organizationRollout: Example = {
  name: 'organization-rollout',
  description: 'a service-managed StackSet puts an audit role (ExternalId, audit account only) into every account of an OU',
  build(scope: Construct) {
    const context = (key: string): string => scope.node.tryGetContext(key) ?? DEFAULTS[key];
    const region = context('region');
    const auditAccount = context('audit-account');
    if (!/^\d{12}$/.test(auditAccount)) {
      throw new Error(`organization-rollout: context audit-account must be a 12-digit AWS account id, got "${auditAccount}"`);
    }

    // The stack every account gets: no env (it lands in each target account and region), in a Stage
    // of its own so that it is synthesized but never deployed by itself.
    const templates = new Stage(scope, 'OrganizationRolloutTemplates');
    const auditStack = new Stack(templates, 'AuditRole', {
      description: 'cdk-security-patterns organization-rollout example: the SecurityAudit role of every workload account',
    });
    const role = new CrossAccountRole(auditStack, 'SecurityAudit', {
      roleName: 'SecurityAudit',
      description: 'Read-only security audit from the audit account, with its ExternalId',
      trustedAccounts: [TrustedAccount.account(auditAccount, { externalId: context('external-id') })],
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('SecurityAudit')],
      maxSessionDuration: Duration.hours(1),
    });
    Acknowledgements.of(role.role).add({
      id: 'AwsSolutions-IAM4',
      reason: 'SecurityAudit is the AWS managed read-only audit policy: AWS keeps it current with new services, which a copy in every account would not be',
      appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/SecurityAudit'],
    });

    const management = new Stack(scope, 'OrganizationRollout', {
      env: { account: context('management-account'), region },
      description: 'cdk-security-patterns organization-rollout example: the StackSet and its guardrail (management account)',
    });
    const workloads = context('workloads-ou');
    new OrganizationStackSet(management, 'AuditRole', {
      stack: auditStack,
      stackSetName: 'security-audit-role',
      targets: [StackSetTarget.organizationalUnitId(workloads)],
      // IAM is global: one region creates the role in each account (a second would collide with it)
      regions: [region],
      maxConcurrentAccounts: StackSetAccounts.percentage(25),
      failureTolerance: StackSetAccounts.percentage(10),
      regionConcurrency: RegionConcurrency.SEQUENTIAL,
    });
    // The role stays as rolled out: only the StackSets execution role may change it.
    new Guardrails(management, 'ProtectAuditRole', {
      policyNamePrefix: 'protect-audit-role',
      guardrails: [Guardrail.protectRoles(['SecurityAudit'])],
      exemptRoles: ['stacksets-exec-*'],
      maxPolicies: 1,
      targets: [PolicyTarget.organizationalUnitId(workloads)],
    });
    return [management, auditStack];
  },
};
