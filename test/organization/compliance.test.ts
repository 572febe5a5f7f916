import * as iam from 'aws-cdk-lib/aws-iam';
import { OrganizationalUnits, PolicyTarget, ResourceControlPolicy, ServiceControlPolicy } from '../../lib/organization';
import { FLAG_SETS, testStack } from '../support/app';
import { complianceFindings } from '../support/compliance';

/** cdk-nag 2 and 3 (four packs each) and the Control Tower guard rules over the organization constructs. */
describe.each(FLAG_SETS)('compliance with %s feature flags', (featureFlags) => {
  test('an OU tree with accounts, an SCP and an RCP have no findings', () => {
    const stack = testStack('Org', { featureFlags });
    const ous = new OrganizationalUnits(stack, 'Ous', {
      parentId: 'r-a1b2',
      paths: ['Security', 'Workloads/Prod'],
      accounts: [{ accountId: '222222222222', path: 'Workloads/Prod', accountName: 'prod', email: 'aws+prod@example.com' }],
    });
    new ServiceControlPolicy(stack, 'Scp', {
      statements: [new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['dynamodb:*'], resources: ['*'] })],
      targets: [PolicyTarget.organizationalUnit(ous.get('Workloads'))],
    });
    new ResourceControlPolicy(stack, 'Rcp', {
      statements: [new iam.PolicyStatement({
        effect: iam.Effect.DENY, principals: [new iam.StarPrincipal()], actions: ['s3:*'], resources: ['*'],
        conditions: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      })],
      targets: [PolicyTarget.root('r-a1b2')],
    });
    expect(complianceFindings(stack)).toEqual([]);
  });
});
