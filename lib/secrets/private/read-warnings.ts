import { Annotations, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/** What the read deny of one secret spares and who reads the secret. */
export interface DeniedReaders {
  /** ARNs (or ARN patterns) the deny exempts. */
  readonly exemptions: Set<string>;
  /** Roles given to the construct's grantRead. */
  readonly readers: iam.IRole[];
  /** The rotation function's role, always exempt. */
  readonly rotationRole?: iam.IRole;
  /** The ARNs a grant names the secret by (its ARN, and the one policies use). */
  readonly secretArns: string[];
}

/**
 * Warns on `scope` about readers the read deny locks out, whatever the order of the calls: roles
 * given to grantRead or whose own policy reads the secret (e.g. through `rs.secret.grantRead`),
 * and ECS task execution roles, which inject the secret into containers (`secrets:`).
 */
export function warnAboutDeniedReaders(scope: IConstruct, denied: DeniedReaders): void {
  const exempt = (role: iam.IRole) => denied.exemptions.has(role.roleArn);
  const all = scope.node.root.node.findAll();
  const executionRoles = new Map<iam.IRole, ecs.TaskDefinition>();
  for (const construct of all) {
    if (!(construct instanceof ecs.TaskDefinition) || !construct.executionRole) continue;
    if (readsSecret(construct.executionRole, denied.secretArns)) executionRoles.set(construct.executionRole, construct);
  }
  const readers = new Set<iam.IRole>(denied.readers);
  for (const construct of all) {
    if (construct instanceof iam.Role && !readers.has(construct) && construct !== denied.rotationRole && readsSecret(construct, denied.secretArns)) readers.add(construct);
  }
  for (const [role, taskDefinition] of executionRoles) {
    if (exempt(role)) continue;
    Annotations.of(scope).addWarningV2('cdk-security-patterns:read-denied-ecs',
      `ECS injects this secret into the containers of ${taskDefinition.node.path} (secrets:) with the task execution role ${role.node.path}, `
      + 'which denyReadExcept does not name, so its tasks fail to start; add taskDefinition.executionRole to denyReadExcept '
      + '(the task role, which the containers run as, needs no read access for secrets:)');
  }
  for (const role of readers) {
    if (exempt(role) || executionRoles.has(role)) continue;
    Annotations.of(scope).addWarningV2('cdk-security-patterns:read-denied',
      `grantRead(${role.node.path}) has no effect while denyReadExcept does not name that role; add it to denyReadExcept`);
  }
}

/** Whether the role's own policy (as CDK's grants write it) lets it read one of `arns`. */
function readsSecret(role: iam.IRole, arns: string[]): boolean {
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (!(policy instanceof iam.Policy)) return false;
  // resolved: aws-cdk-lib's Secret names itself in grants by another token than its secretArn
  const stack = Stack.of(policy);
  const wanted = new Set(arns.map((arn) => JSON.stringify(stack.resolve(arn))));
  const statements: { Action?: string | string[]; Resource?: unknown }[] = stack.resolve(policy.document.toJSON())?.Statement ?? [];
  return statements.some((st) => [st.Action ?? []].flat().includes('secretsmanager:GetSecretValue')
    && [st.Resource ?? []].flat().some((r) => wanted.has(JSON.stringify(r))));
}

