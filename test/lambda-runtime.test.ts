// Every Lambda function the library creates runs on a runtime that stays supported: neither the
// default nor any runtime a user may choose is deprecated (or blocked for create or update) within
// 6 months of the test run, by the dates in cfn-lint's own data.
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DEFAULT_NODEJS_RUNTIME } from '../lib/private/lambda-runtime';
import { DatabaseTarget, RotatingSecret, RotationStrategy } from '../lib/secrets';
import { testStack } from './support/app';
import { lambdaRuntimeLifecycle, type RuntimeLifecycle } from './support/cfn-lint';

const now = new Date();
const horizon = new Date(now);
horizon.setUTCMonth(horizon.getUTCMonth() + 6);
const day = (d: Date) => d.toISOString().slice(0, 10);

const table = lambdaRuntimeLifecycle();

/** Why `runtime` is no good by the horizon, or undefined if it is. */
function retiring(runtime: string, row: RuntimeLifecycle | undefined): string | undefined {
  if (!row) return undefined;
  const dates = (['deprecated', 'create-block', 'update-block'] as const).filter((k) => new Date(`${row[k]}T00:00:00Z`) <= horizon);
  return dates.length === 0 ? undefined
    : `${runtime}: ${dates.map((k) => `${k} ${row[k]}`).join(', ')} (cfn-lint), before ${day(horizon)}; successor ${row.successor ?? 'none named'}`;
}

/** The runtimes of the functions the library creates, across every construct that creates one. */
function runtimesInUse(): string[] {
  const stack = testStack('Everything');
  // scaffolding only: without the default-security-group custom resource, whose function is aws-cdk-lib's
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2, natGateways: 0, restrictDefaultSecurityGroup: false, subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const master = new secretsmanager.Secret(stack, 'Master');
  const database = { vpc, database: DatabaseTarget.connectable(new ec2.SecurityGroup(stack, 'DbGroup', { vpc }), { host: 'db.internal', port: 5432 }), username: 'app' };
  new RotatingSecret(stack, 'Key', { rotation: RotationStrategy.randomKey() });
  new RotatingSecret(stack, 'Pg', { ...database, rotation: RotationStrategy.postgresAlternatingUsers({ masterSecret: master }) });
  new RotatingSecret(stack, 'My', { ...database, rotation: RotationStrategy.mysqlSingleUser() });
  const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
  expect(functions.length).toBeGreaterThanOrEqual(3);
  return [...new Set(functions.map((fn) => fn.Properties.Runtime as string))];
}

/** Whether RotatingSecret accepts `name` as its rotation function's runtime. */
function accepted(name: string): boolean {
  const stack = testStack('Probe');
  try {
    new RotatingSecret(stack, 'Key', { rotation: RotationStrategy.randomKey(), rotationFunctionRuntime: new lambda.Runtime(name, lambda.RuntimeFamily.NODEJS) });
    return true;
  } catch (err) {
    if (/rotationFunctionRuntime must be a Node\.js runtime/.test(String(err))) return false;
    throw err;
  }
}

test(`every function the library creates runs on the default runtime, which cfn-lint knows and does not retire before ${day(horizon)}`, () => {
  expect(runtimesInUse()).toEqual([DEFAULT_NODEJS_RUNTIME.name]);
  expect(table[DEFAULT_NODEJS_RUNTIME.name]).toBeDefined();
  expect(retiring(DEFAULT_NODEJS_RUNTIME.name, table[DEFAULT_NODEJS_RUNTIME.name])).toBeUndefined();
});

test(`no Node.js runtime the library accepts is retired before ${day(horizon)}`, () => {
  const names = [...new Set([...Object.keys(table), ...lambda.Runtime.ALL.map((r) => r.name)])].filter((n) => n.startsWith('nodejs'));
  const allowed = names.filter(accepted);
  // not vacuous: the default is among them, and so are the runtimes the library refuses
  expect(allowed).toContain(DEFAULT_NODEJS_RUNTIME.name);
  expect(names.length).toBeGreaterThan(allowed.length);
  expect(allowed.map((n) => retiring(n, table[n])).filter((r) => r !== undefined)).toEqual([]);
});

test('control: the check flags a runtime cfn-lint lists as deprecated, and the library refuses it', () => {
  expect(retiring('nodejs20.x', table['nodejs20.x'])).toMatch(/^nodejs20\.x: deprecated 2026-04-30/);
  expect(accepted('nodejs20.x')).toBe(false);
});
