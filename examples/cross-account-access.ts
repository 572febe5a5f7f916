import { Duration, PhysicalName, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Acknowledgements, CrossAccountRole, DeveloperBoundary, TrustedAccount } from '../lib';
import { Example } from './example';

/** Placeholders for `cdk synth` without context; pass real ids with `-c dev-account=... -c prod-account=...`. */
const DEFAULT_DEV_ACCOUNT = '111111111111';
const DEFAULT_PROD_ACCOUNT = '222222222222';
/** A fixed random value: the template stays the same between synths. Override with `-c external-id=...`. */
const DEFAULT_EXTERNAL_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

/**
 * Developers in a dev account read the reports bucket of a prod account. The dev account's
 * `Developer` role (assumed with MFA) may assume the prod account's `ReportsReader` role, which
 * trusts only that role, requires the ExternalId and a fresh MFA sign-in, and can read only the
 * named bucket, capped by a permissions boundary even if someone attaches more to it later.
 *
 * Context: `dev-account`, `prod-account`, `region` (default us-east-1), `reports-bucket` (an existing
 * bucket in the prod account; default `reports-<prod-account>`), `external-id`, and
 * `revoke-sessions-before` (ISO time; cuts off every ReportsReader session issued earlier, e.g. after
 * leaked credentials). Deploy the dev stack first: IAM rejects a trust policy naming a missing role.
 */
export const crossAccountAccess: Example = {
  name: 'cross-account-access',
  description: 'a dev role assumes a prod role with ExternalId and MFA; the prod role reads one named bucket',
  build(scope: Construct) {
    const context = (key: string): string | undefined => scope.node.tryGetContext(key);
    const devAccount = context('dev-account') ?? DEFAULT_DEV_ACCOUNT;
    const prodAccount = context('prod-account') ?? DEFAULT_PROD_ACCOUNT;
    const region = context('region') ?? 'us-east-1';
    const bucketName = context('reports-bucket') ?? `reports-${prodAccount}`;
    const externalId = context('external-id') ?? DEFAULT_EXTERNAL_ID;
    const revokeBefore = context('revoke-sessions-before');
    for (const [key, value] of [['dev-account', devAccount], ['prod-account', prodAccount]]) {
      if (!/^\d{12}$/.test(value)) {
        throw new Error(`cross-account-access: context ${key} must be a 12-digit AWS account id, got "${value}"`);
      }
    }
    if (devAccount === prodAccount) {
      throw new Error(`cross-account-access: dev-account and prod-account must differ (the example shows access across accounts), got ${devAccount} for both`);
    }
    if (revokeBefore !== undefined && Number.isNaN(Date.parse(revokeBefore))) {
      throw new Error(`cross-account-access: context revoke-sessions-before must be an ISO 8601 time such as 2026-11-24T08:00:00Z, got "${revokeBefore}"`);
    }

    const dev = new Stack(scope, 'CrossAccountAccessDev', {
      env: { account: devAccount, region },
      description: 'cdk-security-patterns cross-account-access example: the dev account side (Developer role)',
    });
    const prod = new Stack(scope, 'CrossAccountAccessProd', {
      env: { account: prodAccount, region },
      description: 'cdk-security-patterns cross-account-access example: the prod account side (ReportsReader role)',
    });
    prod.addDependency(dev, 'the ReportsReader trust policy names the Developer role, which must exist first');

    // Dev account: people of the dev account assume Developer after signing in with MFA.
    const developer = new iam.Role(dev, 'Developer', {
      // a physical name, so the prod account's stack can name the role in its trust policy
      roleName: PhysicalName.GENERATE_IF_NEEDED,
      description: 'Developers; may assume the prod ReportsReader role',
      assumedBy: new iam.AccountPrincipal(devAccount).withConditions({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }),
      maxSessionDuration: Duration.hours(1),
    });

    // Prod account: the reports bucket, and the role that may read it and nothing else.
    const reports = s3.Bucket.fromBucketName(prod, 'Reports', bucketName);
    const readStatements = [
      new iam.PolicyStatement({ sid: 'ListReports', actions: ['s3:ListBucket'], resources: [reports.bucketArn] }),
      new iam.PolicyStatement({ sid: 'ReadReports', actions: ['s3:GetObject'], resources: [reports.arnForObjects('*')] }),
    ];
    const readReports = new iam.ManagedPolicy(prod, 'ReadReports', {
      description: 'Read the objects of the reports bucket',
      statements: readStatements,
    });
    // The ceiling: even AdministratorAccess attached to the role later could only read the bucket.
    const boundary = new DeveloperBoundary(prod, 'ReportsBoundary', {
      description: 'Caps the ReportsReader role to reading the reports bucket',
      allowedStatements: readStatements,
    });
    const reader = new CrossAccountRole(prod, 'ReportsReader', {
      description: 'Read the reports bucket from the dev account, with ExternalId and MFA',
      trustedAccounts: [TrustedAccount.roles([developer], { externalId })],
      requireMfa: true,
      maxMfaAge: Duration.hours(1),
      maxSessionDuration: Duration.hours(1),
      managedPolicies: [readReports],
      permissionsBoundary: boundary,
    });
    if (revokeBefore !== undefined) {
      reader.revokeSessions(new Date(revokeBefore));
    }

    // The third half of the pattern: Developer's own policy allows sts:AssumeRole on ReportsReader.
    reader.grantAssume(developer);
    const inlineReason = 'Written by grantAssume: the one statement lets this role assume the single prod ReportsReader role; it lives and dies with the role';
    Acknowledgements.of(developer.node.findChild('DefaultPolicy')).add(...Acknowledgements.inComplianceFrameworks('IAMNoInlinePolicy', inlineReason));
    const objectsReason = 'The role exists to read the reports; every object of this one named bucket and no other resource';
    Acknowledgements.of(readReports).add({ id: 'AwsSolutions-IAM5', reason: objectsReason, appliesTo: [`Resource::${reports.arnForObjects('*')}`] });
    return [dev, prod];
  },
};
