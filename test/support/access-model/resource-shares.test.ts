import { AccessModel } from './index';

const OWNER = '111111111111';
const NAMED = '222222222222';
const OTHER = '333333333333';
const ORG = 'o-a1b2c3d4e5';
const OU = 'ou-a1b2-c3d4e5f6';
const arn = (account: string) => `arn:aws:iam::${account}:role/ops`;

/** A hand-written network template: subnet A shared with an account and an OU, B with the organization, C with no one. */
function model(extra: Record<string, unknown> = {}) {
  const subnet = (cidr: string) => ({ Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: cidr } });
  const subnetArn = (id: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:ec2:\${AWS::Region}:\${AWS::AccountId}:subnet/\${${id}}` });
  const template = {
    Resources: {
      Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
      A: subnet('10.0.0.0/24'),
      B: subnet('10.0.1.0/24'),
      C: subnet('10.0.2.0/24'),
      ShareA: {
        Type: 'AWS::RAM::ResourceShare',
        Properties: {
          Name: 'a', AllowExternalPrincipals: false, ResourceArns: [subnetArn('A')],
          Principals: [NAMED, `arn:aws:organizations::999999999999:ou/${ORG}/${OU}`],
        },
      },
      ShareB: {
        Type: 'AWS::RAM::ResourceShare',
        Properties: { Name: 'b', ResourceArns: [subnetArn('B')], Principals: [`arn:aws:organizations::999999999999:organization/${ORG}`] },
      },
      // a role of the owner account with no permissions of its own
      Idle: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] } } },
      ...extra,
    },
  };
  return new AccessModel([{ stackName: 'Network', template, account: OWNER }]);
}

describe('AWS RAM subnet shares', () => {
  const m = model();
  const a = m.arnOfLogicalId('Network', 'A');
  const b = m.arnOfLogicalId('Network', 'B');
  const c = m.arnOfLogicalId('Network', 'C');
  const inOu = { 'aws:PrincipalOrgID': ORG, 'aws:PrincipalOrgPaths': [`${ORG}/r-ab12/${OU}/`] };
  const inChildOu = { 'aws:PrincipalOrgID': ORG, 'aws:PrincipalOrgPaths': [`${ORG}/r-ab12/${OU}/ou-a1b2-99999999/`] };
  const inOtherOu = { 'aws:PrincipalOrgID': ORG, 'aws:PrincipalOrgPaths': [`${ORG}/r-ab12/ou-a1b2-00000000/`] };
  const otherOrg = { 'aws:PrincipalOrgID': 'o-zzzzzzzzzz', 'aws:PrincipalOrgPaths': [`o-zzzzzzzzzz/r-zz99/${OU}/`] };

  test('a named account may launch and create network interfaces in the shared subnet', () => {
    for (const action of ['ec2:RunInstances', 'ec2:CreateNetworkInterface']) {
      m.assertDecision({ principal: arn(NAMED), action, resource: a }, 'Allowed');
    }
  });

  test('an account of the OU or of a child OU may launch; one of a sibling OU or another organization may not', () => {
    m.assertDecision({ principal: arn(OTHER), action: 'ec2:RunInstances', resource: a, context: inOu }, 'Allowed');
    m.assertDecision({ principal: arn(OTHER), action: 'ec2:RunInstances', resource: a, context: inChildOu }, 'Allowed');
    m.assertDecision({ principal: arn(OTHER), action: 'ec2:RunInstances', resource: a, context: inOtherOu }, 'ImplicitlyDenied');
    m.assertDecision({ principal: arn(OTHER), action: 'ec2:RunInstances', resource: a, context: otherOrg }, 'ImplicitlyDenied');
    m.assertDecision({ principal: arn(OTHER), action: 'ec2:RunInstances', resource: a }, 'ImplicitlyDenied');
  });

  test('an organization share admits any account of that organization only', () => {
    m.assertDecision({ principal: arn(OTHER), action: 'ec2:RunInstances', resource: b, context: inOtherOu }, 'Allowed');
    m.assertDecision({ principal: arn(OTHER), action: 'ec2:RunInstances', resource: b, context: otherOrg }, 'ImplicitlyDenied');
    // the account named on share A has no route to B
    m.assertDecision({ principal: arn(NAMED), action: 'ec2:RunInstances', resource: b }, 'ImplicitlyDenied');
  });

  test('an unshared subnet is invisible to every other account, and the explanation says RAM', () => {
    m.assertDecision({ principal: arn(NAMED), action: 'ec2:RunInstances', resource: c, context: inOu }, 'ImplicitlyDenied');
    const e = m.explain({ principal: arn(NAMED), action: 'ec2:RunInstances', resource: c });
    expect(e.resourcePolicy).toBeUndefined();
    expect(e.text).toContain('AWS RAM: the subnet is in no AWS::RAM::ResourceShare: it is not visible to any other account');
    expect(m.explain({ principal: arn(NAMED), action: 'ec2:RunInstances', resource: a }).text).toContain("shared through RAM share 'ShareA' with 222222222222");
  });

  test('participants cannot change or delete the subnet; the owner uses it through IAM alone', () => {
    for (const action of ['ec2:DeleteSubnet', 'ec2:ModifySubnetAttribute', 'ec2:CreateTags']) {
      m.assertDecision({ principal: arn(NAMED), action, resource: a }, 'ImplicitlyDenied');
    }
    m.assertDecision({ principal: arn(OWNER), action: 'ec2:RunInstances', resource: c }, 'Allowed');
  });

  test('a share grants the owner account nothing: its roles still need identity policies', () => {
    const idle = m.arnOfLogicalId('Network', 'Idle');
    m.assertDecision({ principal: idle, action: 'ec2:RunInstances', resource: b, context: inOtherOu }, 'ImplicitlyDenied');
    m.assertDecision({ principal: idle, action: 'ec2:RunInstances', resource: a, context: inOu }, 'ImplicitlyDenied');
  });

  test('a share counts only in the subnet\'s own account and region', () => {
    const withShareIn = (account: string, region: string) => {
      const network = { stackName: 'Network', account: OWNER, template: { Resources: { S: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: 'vpc-1', CidrBlock: '10.0.0.0/24' } } } } };
      const probe = new AccessModel([network]);
      const subnetArn = probe.arnOfLogicalId('Network', 'S');
      const share = { Type: 'AWS::RAM::ResourceShare', Properties: { Name: 's', Principals: [NAMED], ResourceArns: [subnetArn] } };
      const m2 = new AccessModel([network, { stackName: 'Share', account, region, template: { Resources: { Share: share } } }]);
      return m2.check({ principal: arn(NAMED), action: 'ec2:RunInstances', resource: subnetArn });
    };
    expect(withShareIn(OWNER, 'us-east-1')).toBe('Allowed');
    expect(withShareIn(OWNER, 'eu-west-1')).toBe('ImplicitlyDenied');
    expect(withShareIn(OTHER, 'us-east-1')).toBe('ImplicitlyDenied');
  });

  test('a principal RAM does not take is a clear error', () => {
    const bad = model({ Bad: { Type: 'AWS::RAM::ResourceShare', Properties: { Name: 'x', Principals: ['ec2.amazonaws.com'], ResourceArns: [{ 'Fn::Sub': 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:subnet/${C}' }] } } });
    expect(() => bad.check({ principal: arn(NAMED), action: 'ec2:RunInstances', resource: bad.arnOfLogicalId('Network', 'C') }))
      .toThrow("AWS::RAM::ResourceShare 'Bad' of stack 'Network' names principal \"ec2.amazonaws.com\", which the model cannot read");
  });
});
