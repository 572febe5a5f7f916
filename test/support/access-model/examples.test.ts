import { CfnResource } from 'aws-cdk-lib';
import { EXAMPLES } from '../../../examples';
import { AccessModel } from './index';
import { testApp } from '../app';

// The model must cope with every template this repository synthesizes: every resource of every example
// gets an ARN, and every role's and user's policies (with their intrinsics) resolve and pass iam-simulate's
// validation. A failure here names the resource or policy the model cannot handle yet.
describe.each(EXAMPLES.map((e) => [e.name, e] as const))('example %s', (_name, example) => {
  const stacks = example.build(testApp());
  const model = new AccessModel(stacks, { ignoreUnknownAwsManagedPolicies: true });
  const all = stacks.flatMap((s) => s.node.findAll()).filter((c): c is CfnResource => CfnResource.isCfnResource(c));

  test('every resource gets a deterministic ARN', () => {
    const arns = all.map((c) => model.arnOf(c));
    expect(arns.filter((a) => !/^arn:aws[a-z-]*:[a-z0-9-]+:/.test(a))).toEqual([]);
    expect(new AccessModel(stacks, { ignoreUnknownAwsManagedPolicies: true }).arnOf(all[0])).toBe(arns[0]);
  });

  test('every role\'s and user\'s policies resolve and validate', () => {
    const principals = all.filter((c) => c.cfnResourceType === 'AWS::IAM::Role' || c.cfnResourceType === 'AWS::IAM::User');
    const decisions = principals.map((p) => model.check({ principal: p, action: 'sts:GetCallerIdentity', resource: '*' }));
    expect(decisions.every((d) => ['Allowed', 'ImplicitlyDenied', 'ExplicitlyDenied'].includes(d))).toBe(true);
  });
});
