import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { addStackDependency } from '../../lib/private/stack-dependency';
import { ReplicaDestination, ReplicatedBucket } from '../../lib/storage';
import { testApp } from '../support/app';
import { BACKUP, SOURCE } from './helpers';

/**
 * A Stack as newer aws-cdk-lib versions have it: `addStackDependency`, and `addDependency` deprecated
 * (here: failing, so a call to it cannot go unnoticed).
 */
class NewerStack extends Stack {
  public readonly calls: Array<[string, string | undefined]> = [];
  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
  }
  public addStackDependency(target: Stack, reason?: string): void {
    this.calls.push([target.node.path, reason]);
    super.addDependency(target, reason);
  }
  public addDependency(target: Stack): void {
    throw new Error(`deprecated Stack.addDependency called for ${target.node.path}`);
  }
}

test('on an aws-cdk-lib with addStackDependency, ReplicatedBucket calls it and never the deprecated addDependency', () => {
  const app = testApp();
  const destinationStack = new Stack(app, 'Backup', { env: BACKUP });
  const sourceStack = new NewerStack(app, 'Source', { env: SOURCE });
  const replica = new ReplicaDestination(destinationStack, 'Replica');
  new ReplicatedBucket(sourceStack, 'Data', { replicationRules: [{ destination: replica }] });
  app.synth();
  expect(sourceStack.calls).toEqual([['Backup', 'Source/Data replicates into Backup/Replica']]);
  expect(sourceStack.dependencies).toEqual([destinationStack]);
});

test('on the peer minimum of aws-cdk-lib (no addStackDependency), the dependency is added with addDependency', () => {
  const app = testApp();
  const target = new Stack(app, 'Target');
  const stack = new Stack(app, 'Dependent');
  // the installed devDependency is the peer minimum: this test is about that version
  expect((stack as unknown as Record<string, unknown>).addStackDependency).toBeUndefined();
  addStackDependency(stack, target, 'the reason');
  expect(stack.dependencies).toEqual([target]);
  expect(app.synth().getStackByName('Dependent').dependencies.map((d) => d.id)).toContain('Target');
});
