import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DatabaseTarget, RotatingSecret, RotationStrategy } from '../../lib/secrets';
import { testApp } from '../support/app';
import { ACCOUNT, REGION, databaseStack, newStack } from './helpers';

/**
 * CloudFormation takes templates of at most 1 MB (through S3, as CDK deploys them). These tests fill
 * a stack with as many RotatingSecrets as the library's 500-resource check allows and measure the
 * synthesized template: compact (JSON.stringify) and as CDK writes the file (indented by one space).
 */
const TEMPLATE_LIMIT_BYTES = 1_000_000;

function measure(stack: Stack): { resources: number; compact: number; written: number } {
  const template = Template.fromStack(stack).toJSON();
  return {
    resources: Object.keys(template.Resources).length,
    compact: Buffer.byteLength(JSON.stringify(template)),
    written: Buffer.byteLength(JSON.stringify(template, undefined, 1)),
  };
}

/** How many secrets `add` may put into a fresh stack, as the resource check's error says. */
function secretsThatFit(build: () => Stack, add: (stack: Stack, count: number) => void): number {
  const stack = build();
  add(stack, 200);
  expect(() => Template.fromStack(stack)).toThrow(/so \d+ of these secrets fit/);
  let message = '';
  try { Template.fromStack(stack); } catch (e) { message = (e as Error).message; }
  return Number(/so (\d+) of these secrets fit/.exec(message)![1]);
}

/** The longest name Secrets Manager takes (512 characters): the longest ARNs in every policy. */
const longestName = (prefix: string, i: number) => `${prefix}${String(i).padStart(4, '0')}/${'x'.repeat(512 - prefix.length - 5)}`;
/** The longest description Secrets Manager takes. */
const longestDescription = 'd'.repeat(2048);

interface Profile { readonly secretName?: (i: number) => string; readonly description?: string }
const PROFILES: [string, Profile][] = [
  ['generated names, no description', {}],
  ['512-character names, 2048-character descriptions', { secretName: (i) => longestName('s', i), description: longestDescription }],
];

function fill(label: string, build: () => Stack, add: (stack: Stack, count: number) => void) {
  const fit = secretsThatFit(build, add);
  const stack = build();
  add(stack, fit);
  const size = measure(stack);
  // the measurements the README's Scale section quotes
  process.stdout.write(`${label}: ${fit} secrets, ${size.resources} resources, ${size.compact} bytes compact, ${size.written} bytes as written\n`);
  expect(size.resources).toBeLessThanOrEqual(500);
  return { fit, ...size };
}

describe.each(PROFILES)('at the most secrets the resource check allows (%s)', (profile, { secretName, description }) => {
  const generated = secretName === undefined;

  test('random-key secrets: the template stays below 1 MB', () => {
    const add = (stack: Stack, count: number) => {
      for (let i = 0; i < count; i++) {
        new RotatingSecret(stack, `Secret${i}`, { rotation: RotationStrategy.randomKey(), secretName: secretName?.(i), description });
      }
    };
    const size = fill(`random-key, ${profile}`, newStack, add);
    expect(size.fit).toBeGreaterThanOrEqual(150);
    if (generated) {
      expect(size.fit).toBe(163);
      expect(size.written).toBeLessThan(TEMPLATE_LIMIT_BYTES * 0.3);
    }
    expect(size.written).toBeLessThan(TEMPLATE_LIMIT_BYTES);
  });

  test('PostgreSQL alternating users with database targets in a VPC, the heaviest strategy: below 1 MB', () => {
    const build = () => {
      const { stack, vpc, instance } = databaseStack();
      new RotatingSecret(stack, 'Master', {
        existingSecret: instance.secret!, rotation: RotationStrategy.postgresSingleUser(), database: DatabaseTarget.instance(instance), vpc,
      });
      return stack;
    };
    const add = (stack: Stack, count: number) => {
      const master = stack.node.findChild('Master') as RotatingSecret;
      const instance = stack.node.findChild('Database') as never;
      const vpc = stack.node.findChild('Vpc') as never;
      for (let i = 0; i < count; i++) {
        new RotatingSecret(stack, `User${i}`, {
          rotation: RotationStrategy.postgresAlternatingUsers({ masterSecret: master }),
          database: DatabaseTarget.instance(instance), username: `app_user_${i}`, databaseName: 'app', vpc,
          secretName: secretName?.(i), description,
        });
      }
    };
    const size = fill(`postgres-alternating-users, ${profile}`, build, add);
    expect(size.fit).toBeGreaterThanOrEqual(140);
    if (generated) expect(size.written).toBeLessThan(TEMPLATE_LIMIT_BYTES / 2);
    expect(size.written).toBeLessThan(TEMPLATE_LIMIT_BYTES);
  });
});

describe('past 1 MB (the resource limit raised through CDK\'s context)', () => {
  /** A stack whose app lets CDK's and the library's resource checks pass 2,000 resources. */
  const roomyStack = () => new Stack(testApp({ context: { '@aws-cdk/core:stackResourceLimit': 2000 } }), 'Test', { env: { account: ACCOUNT, region: REGION } });
  const add = (stack: Stack, count: number) => {
    for (let i = 0; i < count; i++) {
      new RotatingSecret(stack, `Secret${i}`, { rotation: RotationStrategy.randomKey(), secretName: longestName('s', i), description: longestDescription });
    }
  };
  const fitFrom = (stack: Stack) => {
    let message = '';
    try { Template.fromStack(stack); } catch (e) { message = (e as Error).message; }
    return { message, fit: Number(/so about (\d+) of these secrets fit/.exec(message)?.[1]) };
  };

  test('fails at synth naming the size, the limit, what the secrets take, how many fit and the fix', () => {
    const stack = roomyStack();
    add(stack, 300);
    const { message } = fitFrom(stack);
    expect(message).toMatch(/Stack Test's template is \d{7} bytes, more than CloudFormation's limit of 1000000 bytes \(1 MB\): its 300 RotatingSecrets take about \d+ \(\d+ each\) and the rest of the stack \d+, so about \d+ of these secrets fit\. Split the secrets across stacks \(e\.g\. one stack per application or team\), or shorten their names and descriptions/);
  });

  test('the number it says fit does fit', () => {
    const over = roomyStack();
    add(over, 300);
    const { fit } = fitFrom(over);
    expect(fit).toBeGreaterThan(150);
    expect(fit).toBeLessThan(300);
    const atFit = roomyStack();
    add(atFit, fit);
    expect(Buffer.byteLength(JSON.stringify(Template.fromStack(atFit).toJSON(), undefined, 1))).toBeLessThanOrEqual(TEMPLATE_LIMIT_BYTES);
  });
});
