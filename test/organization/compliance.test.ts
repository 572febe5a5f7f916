import * as iam from 'aws-cdk-lib/aws-iam';
import { Guardrail, Guardrails, OrganizationalUnits, PolicyTarget, ResourceControlPolicy, ServiceControlPolicy } from '../../lib/organization';
import { FLAG_SETS, testStack } from '../support/app';
import { complianceFindings } from '../support/compliance';

/** cdk-nag 2 and 3 (four packs each) and the Control Tower guard rules over the organization constructs. */
describe.each(FLAG_SETS)('compliance with %s feature flags', (featureFlags) => {
  test('an OU tree with accounts, an SCP, an RCP and guardrails have no findings', () => {
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
    new Guardrails(stack, 'Guardrails', {
      guardrails: [Guardrail.denyLeavingOrganization(), Guardrail.denyRootUser(), Guardrail.allowOnlyRegions(['eu-central-1']), Guardrail.protectSecurityServices(),
        Guardrail.requireImdsv2(), Guardrail.protectRoles(Guardrail.cdkBootstrapRoleNames())],
      exemptRoles: ['BreakGlass'],
      targets: [PolicyTarget.organizationalUnit(ous.get('Security'))],
    });
    expect(complianceFindings(stack)).toEqual([]);
  });
});
