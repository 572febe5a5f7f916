import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Ec2ServiceRole, Ec2ServiceRoleProps } from '../../lib/identity';
import { testApp } from '../support/app';

function build(props: Ec2ServiceRoleProps = {}) {
  const stack = new Stack(testApp(), 'App', { env: { account: '222222222222', region: 'us-east-1' } });
  const ec2Role = new Ec2ServiceRole(stack, 'Web', props);
  return { stack, ec2Role, template: Template.fromStack(stack) };
}

describe('Ec2ServiceRole', () => {
  test('a role only EC2 can assume, with an instance profile of that role', () => {
    const { template, ec2Role } = build();
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' } }] },
    });
    template.hasResourceProperties('AWS::IAM::InstanceProfile', { Roles: [{ Ref: Match.stringLikeRegexp('^Web') }] });
    expect(ec2Role.role.node.id).toBe('Resource');
    expect(ec2Role.grantPrincipal).toBe(ec2Role.role);
  });

  test('denies requests with credentials delivered over IMDSv1 by default', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Web') }],
      PolicyDocument: { Statement: [{
        Sid: 'DenyImdsv1Credentials', Effect: 'Deny', Action: '*', Resource: '*',
        Condition: { NumericLessThan: { 'ec2:RoleDelivery': '2.0' } },
      }] },
    });
  });

  test('exposes the IMDSv1 deny as imdsv2Policy', () => {
    const { ec2Role } = build();
    expect(ec2Role.imdsv2Policy?.node.id).toBe('RequireImdsv2');
  });

  test('requireImdsv2: false leaves the IMDSv1 deny out', () => {
    const { template, ec2Role } = build({ requireImdsv2: false });
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    expect(ec2Role.imdsv2Policy).toBeUndefined();
  });

  test('ssmManagedInstance attaches AmazonSSMManagedInstanceCore and acknowledges exactly that AWS managed policy', () => {
    const { template } = build({ ssmManagedInstance: true });
    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedInstanceCore']] }],
    });
    const role = Object.values(template.findResources('AWS::IAM::Role'))[0];
    expect(role.Metadata.cdk_nag.rules_to_suppress).toEqual([
      expect.objectContaining({ id: 'AwsSolutions-IAM4', applies_to: ['Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore'] }),
    ]);
  });

  test('names the role and the instance profile alike and sets the boundary', () => {
    const stack = new Stack(testApp(), 'App', { env: { account: '222222222222', region: 'us-east-1' } });
    const boundary = new iam.ManagedPolicy(stack, 'Boundary', { statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })] });
    new Ec2ServiceRole(stack, 'Web', { roleName: 'web', permissionsBoundary: boundary, requireImdsv2: false });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'web', PermissionsBoundary: { Ref: Match.stringLikeRegexp('^Boundary') } });
    template.hasResourceProperties('AWS::IAM::InstanceProfile', { InstanceProfileName: 'web' });
  });

  test('fails when the role name is longer than 64 characters (checked by iam.Role)', () => {
    expect(() => build({ roleName: 'w'.repeat(65) })).toThrow(/Invalid roleName/);
  });
});
