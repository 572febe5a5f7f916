import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { OrganizationalUnits } from '../../lib/organization';
import { FLAG_SETS, testStack } from '../support/app';

const ROOT = 'r-a1b2';

describe.each(FLAG_SETS)('OrganizationalUnits with %s feature flags', (featureFlags) => {
  function tree(stack: Stack = testStack('Org', { featureFlags })) {
    const ous = new OrganizationalUnits(stack, 'Ous', {
      parentId: ROOT,
      paths: ['Security', 'Workloads/Prod', 'Workloads/Dev'],
      accounts: [
        { accountId: '222222222222', path: 'Workloads/Prod', accountName: 'prod', email: 'aws+prod@example.com' },
        { accountId: '333333333333', path: 'Workloads/Dev', accountName: 'dev', email: 'aws+dev@example.com' },
        { accountId: '444444444444', path: 'Security', accountName: 'audit', email: 'aws+audit@example.com' },
      ],
    });
    return { stack, ous, template: Template.fromStack(stack) };
  }

  test('creates each OU once, the parents of nested paths included, under the given parent', () => {
    const { ous, template } = tree();
    expect(ous.paths).toEqual(['Security', 'Workloads', 'Workloads/Prod', 'Workloads/Dev']);
    template.resourceCountIs('AWS::Organizations::OrganizationalUnit', 4);
    template.hasResourceProperties('AWS::Organizations::OrganizationalUnit', { Name: 'Security', ParentId: ROOT });
    template.hasResourceProperties('AWS::Organizations::OrganizationalUnit', { Name: 'Workloads', ParentId: ROOT });
  });

  test('nests a child OU under its parent OU by the parent\'s id', () => {
    const { stack, ous, template } = tree();
    const workloads = stack.resolve(ous.get('Workloads').organizationalUnitId);
    template.hasResourceProperties('AWS::Organizations::OrganizationalUnit', { Name: 'Prod', ParentId: workloads });
    template.hasResourceProperties('AWS::Organizations::OrganizationalUnit', { Name: 'Dev', ParentId: workloads });
    expect(ous.get('Workloads/Prod').path).toBe('Workloads/Prod');
    expect(ous.get('Workloads/Prod').node.path).toBe('Org/Ous/Workloads/Prod');
  });

  test('moves each account into its OU and never closes it when the stack lets go of it', () => {
    const { stack, ous, template } = tree();
    const accounts = template.findResources('AWS::Organizations::Account');
    expect(Object.values(accounts)).toHaveLength(3);
    const prod = Object.values<any>(accounts).find((a) => a.Properties.AccountName === 'prod');
    expect(prod.Properties).toEqual({ AccountName: 'prod', Email: 'aws+prod@example.com', ParentIds: [stack.resolve(ous.get('Workloads/Prod').organizationalUnitId)] });
    for (const account of Object.values<any>(accounts)) {
      expect(account.DeletionPolicy).toBe('Retain');
      expect(account.UpdateReplacePolicy).toBe('Retain');
    }
  });

  test('lists the accounts under an OU and its children', () => {
    const { ous } = tree();
    expect(ous.accountsUnder('Workloads').sort()).toEqual(['222222222222', '333333333333']);
    expect(ous.accountsUnder('Workloads/Prod')).toEqual(['222222222222']);
    expect(ous.accountsUnder('Security')).toEqual(['444444444444']);
  });
});

describe('OrganizationalUnits validation', () => {
  const make = (props: Partial<ConstructorParameters<typeof OrganizationalUnits>[2]>) =>
    new OrganizationalUnits(testStack('Org'), 'Ous', { parentId: ROOT, paths: ['Workloads/Prod'], ...props });

  test('fails when the parent id is neither a root nor an OU id', () => {
    expect(() => make({ parentId: 'o-abcdefghij' }))
      .toThrow('OrganizationalUnits Org/Ous: parentId must be the organization\'s root id (r-xxxx) or an OU id (ou-xxxx-xxxxxxxx), got "o-abcdefghij"');
  });

  test('accepts an OU id as the parent', () => {
    expect(() => make({ parentId: 'ou-a1b2-c3d4e5f6' })).not.toThrow();
  });

  test('fails when there are no paths', () => {
    expect(() => make({ paths: [] })).toThrow(/paths must name at least one OU, got an empty list/);
  });

  test('fails when a path has an empty segment', () => {
    expect(() => make({ paths: ['Workloads//Prod'] })).toThrow(/"Workloads\/\/Prod" is not an OU path; write OU names of 1 to 128 characters/);
  });

  test('fails when a path nests deeper than Organizations allows', () => {
    expect(() => make({ paths: ['a/b/c/d/e/f'] })).toThrow('OrganizationalUnits Org/Ous: "a/b/c/d/e/f" nests 6 OUs deep, but Organizations allows at most 5 levels under the root; flatten the tree');
  });

  test('fails when an OU is named Resource', () => {
    expect(() => make({ paths: ['Workloads/Resource'] })).toThrow(/uses the OU name "Resource", which this construct reserves/);
  });

  test('fails when an account goes into an OU that is not in the tree', () => {
    expect(() => make({ accounts: [{ accountId: '222222222222', path: 'Workloads/Test', accountName: 'x', email: 'x@example.com' }] }))
      .toThrow('OrganizationalUnits Org/Ous: account 222222222222 goes into "Workloads/Test", which is not an OU of the tree (Workloads, Workloads/Prod); add the path to paths');
  });

  test('fails when an account id is not 12 digits', () => {
    expect(() => make({ accounts: [{ accountId: '2222', path: 'Workloads', accountName: 'x', email: 'x@example.com' }] }))
      .toThrow('OrganizationalUnits Org/Ous: accountId must be a 12-digit AWS account id, got "2222"');
  });

  test('fails when an account is placed twice', () => {
    const account = { accountId: '222222222222', accountName: 'x', email: 'x@example.com' };
    expect(() => make({ accounts: [{ ...account, path: 'Workloads' }, { ...account, path: 'Workloads/Prod' }] }))
      .toThrow('OrganizationalUnits Org/Ous: account 222222222222 is placed twice, into "Workloads" and "Workloads/Prod"; an account belongs to exactly one OU');
  });

  test('fails to get an OU that is not in the tree, naming those that are', () => {
    expect(() => make({}).get('Prod')).toThrow('OrganizationalUnits Org/Ous: no OU at "Prod"; the tree has Workloads, Workloads/Prod');
  });
});
