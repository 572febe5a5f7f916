import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EXAMPLES } from '../examples';
import { complianceAcknowledgements, complianceFindings } from './support/compliance';
import { testApp } from './support/app';

/**
 * Every example app registered in examples/index.ts: zero unacknowledged compliance findings, every
 * acknowledgement carries a reason, and a snapshot per stack (asset hashes normalised).
 */
function buildExample(name: string): Stack[] {
  const example = EXAMPLES.find((e) => e.name === name)!;
  return example.build(testApp());
}

/** One build per example for the tests that only read it (the compliance check adds Aspects, so builds its own). */
const built = new Map<string, Stack[]>();
function readOnlyExample(name: string): Stack[] {
  if (!built.has(name)) built.set(name, buildExample(name));
  return built.get(name)!;
}

const names = EXAMPLES.map((e) => e.name);

test('example names are unique kebab-case', () => {
  expect(new Set(names).size).toBe(names.length);
  for (const name of names) expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
});

describe.each(names)('example %s', (name) => {
  test('has zero unacknowledged compliance findings', () => {
    for (const stack of buildExample(name)) {
      expect({ stack: stack.stackName, findings: complianceFindings(stack) }).toEqual({ stack: stack.stackName, findings: [] });
    }
  });

  test('acknowledges findings only with a reason', () => {
    const acknowledgements = readOnlyExample(name).flatMap((stack) => complianceAcknowledgements(stack));
    for (const ack of acknowledgements) {
      expect(ack.reason.length).toBeGreaterThanOrEqual(20);
    }
    // The reviewed list: a new acknowledgement changes this snapshot and shows up in review.
    expect(acknowledgements.map((a) => `${a.stack} ${a.path} ${a.rule}${a.appliesTo ? ` [${a.appliesTo.join(', ')}]` : ''}: ${a.reason}`)).toMatchSnapshot();
  });

  test('synthesizes without context lookups, so `cdk synth` needs no AWS credentials', () => {
    const assembly = (readOnlyExample(name)[0].node.root as App).synth();
    expect(assembly.manifest.missing ?? []).toEqual([]);
  });

  test('matches the snapshot', () => {
    for (const stack of readOnlyExample(name)) {
      expect(Template.fromStack(stack).toJSON()).toMatchSnapshot(stack.stackName);
    }
  });
});
