import * as cdk from 'aws-cdk-lib/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  Acknowledgements, CrossAccountRole, DeveloperBoundary, Ec2ServiceRole, MfaRequired, SecureKey, TrustedAccount,
} from 'cdk-security-patterns';
import { appOwned } from './app-owned';

/** Area: identity (and the common building blocks). New identity constructs go here. */
export class IdentityStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props: cdk.StackProps) {
    super(scope, id, props);

    new SecureKey(this, 'TeamKey', { description: 'Encrypts the team data' });

    new CrossAccountRole(this, 'Auditor', {
      trustedAccounts: [TrustedAccount.thirdParty('333333333333', '7f1c2a9e-4b7d-4f0e-9d1a-2b6c8e5f3a10')],
      maxSessionDuration: cdk.Duration.hours(1),
    });
    new CrossAccountRole(this, 'Operators', {
      trustedAccounts: [
        TrustedAccount.account('444444444444'),
        TrustedAccount.principalArns(['arn:aws:iam::555555555555:role/operations']),
        TrustedAccount.roles([iam.Role.fromRoleArn(this, 'PartnerDeployer', 'arn:aws:iam::666666666666:role/deployer', { mutable: false })]),
      ],
    });
    new CrossAccountRole(this, 'OrganizationReader', {
      trustedAccounts: [TrustedAccount.organization('o-a1b2c3d4e5')],
      requireMfa: false,
      sourceIdentityPattern: '*@example.com',
    });

    new MfaRequired(this, 'DevelopersNeedMfa', { groups: [iam.Group.fromGroupName(this, 'Developers', 'developers')], allowSelfEnrolment: false });

    const boundary = new DeveloperBoundary(this, 'Boundary', {
      allowedStatements: [new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        resources: ['arn:aws:dynamodb:us-east-1:111111111111:table/team'],
      })],
      delegatedRolePath: '/delegated/team/',
      delegatedResourcePrefix: 'team-',
      assumableRoles: [iam.Role.fromRoleArn(this, 'ReportsReader', 'arn:aws:iam::222222222222:role/reports-reader', { mutable: false })],
    });
    const web = new Ec2ServiceRole(this, 'WebServer', { ssmManagedInstance: true });
    boundary.applyTo(web);

    // The app's own resource, with findings of every pack that it acknowledges through the library's
    // public API: the consumer test counts these to prove each pack ran and honours acknowledgements.
    const topic = new sns.Topic(appOwned(this), 'Announcements');
    const reason = 'The consumer test\'s own topic, deliberately left unencrypted to prove every pack runs and honours acknowledgements';
    Acknowledgements.of(topic).add(
      { id: 'AwsSolutions-SNS3', reason },
      ...Acknowledgements.inComplianceFrameworks('SNSEncryptedKMS', reason),
    );
  }
}
