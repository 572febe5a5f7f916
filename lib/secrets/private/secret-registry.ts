import { Stack, Token } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { IConstruct } from 'constructs';
import { scopedState } from '../../private/scoped-state';

/**
 * Roles of alternating-users rotation functions, by the master secret they read at every rotation,
 * kept on the App and keyed by the master's ARN, so a master imported twice (two objects, one ARN)
 * is one master. Read when a deny resolves, so a master declared before or after its users exempts
 * them alike.
 */
export function masterSecretReaders(scope: IConstruct): Map<string, Set<string>> {
  return scopedState(scope.node.root, 'secrets.master-secret-readers', () => new Map<string, Set<string>>());
}

/**
 * The identity of a secret across imports: its ARN without Secrets Manager's 6-character suffix
 * (a complete and a partial ARN are one secret), or the ARN's token for a secret of this app.
 */
export function secretIdentity(secret: secretsmanager.ISecret): string {
  const full = secret.secretFullArn;
  if (full !== undefined && !Token.isUnresolved(full)) return full.replace(/-[A-Za-z0-9]{6}$/, '');
  return secret.secretArn;
}

/**
 * Fails when another RotatingSecret of the app already has `name` in the same account and region
 * (replicas included): Secrets Manager names are unique there, so the second deploy would fail.
 * Stacks without a literal account and region are compared within themselves.
 */
export function claimSecretName(scope: IConstruct, name: string | undefined, replicaRegions: string[]): void {
  if (name === undefined || Token.isUnresolved(name)) return;
  const stack = Stack.of(scope);
  const names = scopedState(scope.node.root, 'secrets.secret-names', () => new Map<string, string>());
  const known = !Token.isUnresolved(stack.account) && !Token.isUnresolved(stack.region);
  for (const region of [stack.region, ...replicaRegions]) {
    const where = known && !Token.isUnresolved(region) ? `account ${stack.account}, region ${region}` : `stack ${stack.node.path}`;
    const key = `${where}|${name}`;
    const other = names.get(key);
    if (other !== undefined) {
      throw new Error(`RotatingSecret ${scope.node.path}: secretName "${name}" is already the name of ${other} (${where}); Secrets Manager names are unique `
        + 'in an account and region (replicas included), so the second secret would fail to deploy: give each secret its own name');
    }
    names.set(key, scope.node.path);
  }
}

/**
 * On the first deploy an alternating-users secret rotates after its master (the function logs in
 * with the master's credentials while the master may be rotating): the schedules of a master and
 * its users in one stack are ordered, whichever RotatingSecret is declared first. Across stacks
 * the stack order already follows the references.
 */
export function orderFirstRotations(secret: secretsmanager.ISecret, schedule: secretsmanager.CfnRotationSchedule, masterSecret?: secretsmanager.ISecret): void {
  const rotations = scopedState(Stack.of(schedule), 'secrets.master-rotations',
    () => new Map<string, { master?: secretsmanager.CfnRotationSchedule; users: secretsmanager.CfnRotationSchedule[] }>());
  const entry = (s: secretsmanager.ISecret) => {
    const id = secretIdentity(s);
    let found = rotations.get(id);
    if (!found) rotations.set(id, found = { users: [] });
    return found;
  };
  const mine = entry(secret);
  mine.master = schedule;
  for (const user of mine.users) user.node.addDependency(schedule);
  if (masterSecret) {
    const master = entry(masterSecret);
    master.users.push(schedule);
    if (master.master) schedule.node.addDependency(master.master);
  }
}
