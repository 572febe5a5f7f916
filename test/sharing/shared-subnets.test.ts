import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { OrganizationalUnits } from '../../lib/organization';
import { SharePrincipal, SharedSubnets, SharedSubnetsProps } from '../../lib/sharing';
import { FLAG_SETS, testApp, testStack } from '../support/app';
import { complianceFindings } from '../support/compliance';
import { ORG_ARN, OU_ARN, SUBNET_PERMISSION, shareOf, subnetArn, threeTierVpc } from './helpers';

describe.each(FLAG_SETS)('SharedSubnets with %s feature flags', (featureFlags) => {
  function build(props: Partial<SharedSubnetsProps> = {}) {
    const stack = testStack('Network', { featureFlags });
    const vpc = threeTierVpc(stack);
    const shared = new SharedSubnets(stack, 'Shared', { vpc, principals: [SharePrincipal.organizationalUnitArn(OU_ARN)], ...props });
    return { stack, vpc, shared };
  }

  test('shares the private and isolated subnets, never the public ones, unless a selection says otherwise', () => {
    const { stack, vpc, shared } = build();
    const share = shareOf(stack);
    expect(share.resources).toEqual([...vpc.privateSubnets, ...vpc.isolatedSubnets].map((s) => subnetArn(stack, s)));
    for (const subnet of vpc.publicSubnets) expect(share.resources).not.toContain(subnetArn(stack, subnet));
    expect(shared.subnets).toEqual([...vpc.privateSubnets, ...vpc.isolatedSubnets]);
  });

  test('shares only the selected subnet group', () => {
    const { stack, vpc } = build({ subnets: { subnetGroupName: 'App' } });
    expect(shareOf(stack).resources).toEqual(vpc.privateSubnets.map((s) => subnetArn(stack, s)));
  });

  test('grants the AWS managed subnet permission and allows no principal outside the organization', () => {
    const { stack, shared } = build();
    const share = shareOf(stack);
    expect(share.permissions).toEqual([SUBNET_PERMISSION]);
    expect(shared.permissionArn).toBe(shared.resourceShare.permissionArns![0]);
    // RAM's default is true: the property must be written, as false
    expect(share.allowExternalPrincipals).toBe(false);
    expect(share.keys).toEqual(['AllowExternalPrincipals', 'Name', 'PermissionArns', 'Principals', 'ResourceArns']);
    expect(share.name).toMatch(/^Network-Shared-[0-9A-F]{8}$/);
    expect(stack.resolve(shared.resourceShareArn)).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(shared.resourceShare), 'Arn'] });
  });

  test('names exactly the intended accounts, OUs and organization, in the order given', () => {
    const { stack } = build({
      principals: [SharePrincipal.account('222222222222'), SharePrincipal.organizationalUnitArn(OU_ARN), SharePrincipal.account('333333333333')],
    });
    expect(shareOf(stack).principals).toEqual(['222222222222', OU_ARN, '333333333333']);
    const org = build({ principals: [SharePrincipal.organization(ORG_ARN)] });
    expect(shareOf(org.stack).principals).toEqual([ORG_ARN]);
  });

  test('names an OU of an OrganizationalUnits tree in the same account by its ARN', () => {
    const stack = testStack('Network', { featureFlags });
    const ous = new OrganizationalUnits(stack, 'Ous', { parentId: 'r-a1b2', paths: ['Workloads/Prod'] });
    new SharedSubnets(stack, 'Shared', { vpc: threeTierVpc(stack), principals: [SharePrincipal.organizationalUnit(ous.get('Workloads/Prod'))] });
    const prod = ous.get('Workloads/Prod').node.findChild('Resource') as ec2.CfnSubnet;
    expect(shareOf(stack).principals).toEqual([`<${stack.getLogicalId(prod)}.Arn>`]);
  });

  test('works in an environment-agnostic stack, the subnet ARNs naming the deploying account and region', () => {
    const stack = new Stack(testApp({ featureFlags }), 'Network');
    const vpc = threeTierVpc(stack);
    new SharedSubnets(stack, 'Shared', { vpc, principals: [SharePrincipal.account('222222222222')] });
    const logicalId = stack.getLogicalId(vpc.privateSubnets[0].node.defaultChild as ec2.CfnSubnet);
    expect(shareOf(stack).resources[0]).toBe(`arn:aws:ec2:<AWS::Region>:<AWS::AccountId>:subnet/<${logicalId}>`);
  });

  test('uses the name given', () => {
    const { stack } = build({ resourceShareName: 'shared-network' });
    expect(shareOf(stack).name).toBe('shared-network');
  });

  test('shares the subnets of an imported VPC by id, with no compliance findings', () => {
    const stack = testStack('Network', { featureFlags });
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0a1b2c3d4e5f67890',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      privateSubnetIds: ['subnet-0a1b2c3d4e5f67890', 'subnet-0f1e2d3c4b5a69788'],
      privateSubnetRouteTableIds: ['rtb-0a1b2c3d4e5f67890', 'rtb-0a1b2c3d4e5f67890'],
    });
    new SharedSubnets(stack, 'Shared', { vpc, principals: [SharePrincipal.organizationalUnitArn(OU_ARN), SharePrincipal.account('222222222222')] });
    expect(shareOf(stack).resources).toEqual([
      'arn:aws:ec2:us-east-1:111111111111:subnet/subnet-0a1b2c3d4e5f67890',
      'arn:aws:ec2:us-east-1:111111111111:subnet/subnet-0f1e2d3c4b5a69788',
    ]);
    // the stack holds the share alone: every finding would be the share's
    expect(complianceFindings(stack)).toEqual([]);
  });
});

describe('SharedSubnets from an attacker\'s side', () => {
  const stack = testStack('Network');
  const vpc = threeTierVpc(stack);
  new SharedSubnets(stack, 'Shared', {
    vpc,
    subnets: { subnetGroupName: 'App' },
    principals: [SharePrincipal.organizationalUnitArn(OU_ARN), SharePrincipal.account('222222222222')],
  });
  const share = shareOf(stack);

  test('an account that is not named is not a principal, and no wildcard or IAM identity lets it in', () => {
    expect(share.principals).not.toContain('444444444444');
    for (const principal of share.principals) {
      expect(principal).toMatch(/^(\d{12}|arn:aws:organizations::\d{12}:(ou\/o-[a-z0-9]+\/ou-[a-z0-9-]+|organization\/o-[a-z0-9]+))$/);
    }
  });

  test('an account outside the organization cannot be added to the share later', () => {
    // with AllowExternalPrincipals false, RAM refuses to associate any principal outside the organization,
    // whoever holds ram:AssociateResourceShare in the network account
    expect(share.allowExternalPrincipals).toBe(false);
  });

  test('the data subnets and the public subnets stay the network account\'s own', () => {
    for (const subnet of [...vpc.isolatedSubnets, ...vpc.publicSubnets]) expect(share.resources).not.toContain(subnetArn(stack, subnet));
    expect(share.resources).toHaveLength(2);
  });

  test('an account id cannot smuggle in another kind of principal', () => {
    for (const principal of ['*', 'arn:aws:iam::444444444444:root', 'arn:aws:iam::444444444444:role/x', '44444444444']) {
      expect(() => SharePrincipal.account(principal)).toThrow(`SharePrincipal.account: accountId must be a 12-digit AWS account id, got "${principal}"`);
    }
  });
});

describe('SharedSubnets validation', () => {
  function make(props: Partial<SharedSubnetsProps>, stack: Stack = testStack('Network')) {
    const vpc = props.vpc ?? threeTierVpc(stack);
    return new SharedSubnets(stack, 'Shared', { vpc, principals: [SharePrincipal.account('222222222222')], ...props });
  }

  test('fails when an account id is not 12 digits', () => {
    expect(() => SharePrincipal.account('12345')).toThrow('SharePrincipal.account: accountId must be a 12-digit AWS account id, got "12345"');
  });

  test('fails when an OU or the organization is named by id instead of ARN, or by a malformed ARN', () => {
    expect(() => SharePrincipal.organizationalUnitArn('ou-a1b2-c3d4e5f6'))
      .toThrow(/^SharePrincipal.organizationalUnitArn: expected an OU ARN such as arn:aws:organizations::111111111111:ou\/o-a1b2c3d4e5\/ou-a1b2-c3d4e5f6, got "ou-a1b2-c3d4e5f6"; RAM names an OU by its ARN, not its id;/);
    expect(() => SharePrincipal.organizationalUnitArn('arn:aws:organizations::999999999999:ou/ou-a1b2-c3d4e5f6')).toThrow(/expected an OU ARN .* got "arn:aws:organizations::999999999999:ou\/ou-a1b2-c3d4e5f6"/);
    expect(() => SharePrincipal.organization('o-a1b2c3d4e5')).toThrow(/^SharePrincipal.organization: expected an organization ARN .* got "o-a1b2c3d4e5"; RAM names an organization by its ARN, not its id;/);
    expect(() => SharePrincipal.organization(OU_ARN)).toThrow(`got "${OU_ARN}"`);
  });

  test('fails when no principal is named', () => {
    expect(() => make({ principals: [] })).toThrow('SharedSubnets Network/Shared: principals must name at least one account, OU or organization, got an empty list');
  });

  test('fails when a principal is named twice', () => {
    expect(() => make({ principals: [SharePrincipal.account('222222222222'), SharePrincipal.account('222222222222')] }))
      .toThrow('SharedSubnets Network/Shared: account 222222222222 is named twice in principals; name each principal once');
  });

  test('fails when the owning account is named as a principal', () => {
    expect(() => make({ principals: [SharePrincipal.account('111111111111')] }))
      .toThrow('SharedSubnets Network/Shared: principals name account 111111111111, the account that owns the subnets; an account cannot share with itself');
  });

  test('fails when principals belong to another organization, which this share never allows', () => {
    const foreignOu = 'arn:aws:organizations::888888888888:ou/o-zzzzzzzzzz/ou-zz11-zzzzzzzz';
    expect(() => make({ principals: [SharePrincipal.organization(ORG_ARN), SharePrincipal.organizationalUnitArn(foreignOu)] }))
      .toThrow(`SharedSubnets Network/Shared: principals belong to 2 organizations: o-a1b2c3d4e5 (organization ${ORG_ARN}), o-zzzzzzzzzz (OU ${foreignOu}); `
        + 'subnets can be shared only within the organization of the account that owns them, and this share allows no principal outside it');
  });

  test('fails when the selection picks no subnet', () => {
    expect(() => make({ subnets: { subnets: [] } }))
      .toThrow('SharedSubnets Network/Shared: the subnet selection picks no subnet of the VPC; select at least one subnet with subnets (e.g. { subnetGroupName: \'App\' }). The VPC has 2 public, 2 private, 2 isolated subnets.');
  });

  test('fails when the VPC has nothing to share by default', () => {
    const stack = testStack('Network');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] });
    expect(() => make({ vpc }, stack)).toThrow('SharedSubnets Network/Shared: the VPC has no private or isolated subnets to share by default; select at least one subnet with subnets');
    // selected on purpose, public subnets are shared
    new SharedSubnets(stack, 'Public', { vpc, subnets: { subnetType: ec2.SubnetType.PUBLIC }, principals: [SharePrincipal.account('222222222222')] });
    expect(shareOf(stack).resources).toEqual([subnetArn(stack, vpc.publicSubnets[0])]);
  });

  test('fails when the VPC belongs to another account or region', () => {
    const stack = testStack('Network');
    const other = new Stack(stack.node.root, 'Other', { env: { account: '222222222222', region: 'us-east-1' } });
    expect(() => make({ vpc: threeTierVpc(other) }, stack))
      .toThrow('SharedSubnets Network/Shared: the VPC belongs to account 222222222222, but this stack deploys to account 111111111111; RAM shares only resources the sharing account owns');
    const east = testStack('Network');
    const west = new Stack(east.node.root, 'West', { env: { account: '111111111111', region: 'us-west-2' } });
    expect(() => make({ vpc: threeTierVpc(west) }, east))
      .toThrow('SharedSubnets Network/Shared: the VPC is in region us-west-2, but this stack deploys to us-east-1; a resource share holds resources of its own region only');
  });

  test('fails when an OU of the app is created in another account, which the share could not reference', () => {
    const stack = testStack('Network');
    const management = new Stack(stack.node.root, 'Management', { env: { account: '999999999999', region: 'us-east-1' } });
    const ous = new OrganizationalUnits(management, 'Ous', { parentId: 'r-a1b2', paths: ['Workloads'] });
    expect(() => make({ principals: [SharePrincipal.organizationalUnit(ous.get('Workloads'))] }, stack))
      .toThrow('SharedSubnets Network/Shared: OU Workloads (Management/Ous/Workloads) is created in account 999999999999, but the share deploys to account 111111111111, '
        + 'and CloudFormation cannot reference a resource across accounts or regions; name the OU by its ARN with SharePrincipal.organizationalUnitArn(arn)');
  });

  test('fails when an OU construct is not one of OrganizationalUnits', () => {
    const stack = testStack('Network');
    const fake = { organizationalUnitId: 'ou-a1b2-c3d4e5f6', path: 'Fake', node: stack.node } as any;
    expect(() => SharePrincipal.organizationalUnit(fake)).toThrow('SharePrincipal.organizationalUnit: Network is not an OU created by OrganizationalUnits');
  });

  test('fails when the share name is blank', () => {
    expect(() => make({ resourceShareName: ' ' })).toThrow('SharedSubnets Network/Shared: resourceShareName must be 1 to 255 characters and not blank, got " "');
  });

  test('warns past the VPC quota of 100 participant accounts', () => {
    const stack = testStack('Network');
    const accounts = Array.from({ length: 101 }, (_, i) => SharePrincipal.account(String(200000000000 + i)));
    make({ principals: accounts }, stack);
    // the recommended flags print every warning as a validation report on stderr
    const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    Annotations.fromStack(stack).hasWarning('/Network/Shared', Match.stringLikeRegexp('shares with 101 accounts, but a VPC has at most 100 participant accounts unless the quota "Participant accounts per VPC" was raised'));
    const few = testStack('Network');
    make({}, few);
    expect(Annotations.fromStack(few).findWarning('*', Match.anyValue())).toEqual([]);
    quiet.mockRestore();
  });
});
