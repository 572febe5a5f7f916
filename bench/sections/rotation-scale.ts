/**
 * Section 2 (rotation at scale) and the counts behind section 5 (cost): N rotating PostgreSQL secrets,
 * ours against aws-cdk-lib's hosted rotation and SecretRotation, synthesized in this process.
 *
 * What deploys beyond the synthesized template, from AWS's documentation:
 * - The AWS::SecretsManager transform (HostedRotation) puts the rotation function "in a nested stack in
 *   the processed template", one per RotationSchedule with HostedRotationLambda, from the Secrets
 *   Manager rotation function template of its RotationType (CloudFormation Template Reference,
 *   "AWS::SecretsManager transform").
 * - SecretRotation is an AWS::Serverless::Application, which the AWS::Serverless transform turns into
 *   one AWS::CloudFormation::Stack (SAM specification, AWS::Serverless::Application).
 * - Either nested stack deploys the rotation template (SecretsManagerRDSPostgreSQLRotationSingleUser):
 *   an AWS::Serverless::Function with policies, which SAM makes an AWS::Lambda::Function and its
 *   AWS::IAM::Role, and an AWS::Lambda::Permission for Secrets Manager (Secrets Manager User Guide,
 *   "AWS templates you can use to create Lambda rotation functions": "a stack that consists of the
 *   Lambda function and an IAM role"; the published template adds the permission). 3 resources each.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { ROTATION_KINDS, RotationKind, rotationStack } from '../fixtures/rotation-stack';
import { countTemplate, fmtBytes, ratio, round, Row, TemplateCounts } from '../support';

/** Resources of one nested rotation stack: the function, its role, Secrets Manager's invoke permission. */
export const NESTED_ROTATION_STACK = { 'AWS::Lambda::Function': 1, 'AWS::IAM::Role': 1, 'AWS::Lambda::Permission': 1 } as const;
const NESTED_RESOURCES = Object.values(NESTED_ROTATION_STACK).reduce((a, b) => a + b, 0);
export const SCALE_NS = [1, 10, 100] as const;

export interface Deployed {
  kind: RotationKind;
  n: number;
  /** The template CDK writes. */
  template: TemplateCounts;
  /** After the transforms: the parent template's resources (what the 500 limit counts). */
  parentResources: number;
  nestedStacks: number;
  /** Parent and nested stacks together. */
  totalResources: number;
  lambdaFunctions: number;
  kmsKeys: number;
  secrets: number;
  /** What aws-cdk-lib says with its default settings, when it refuses the stack. */
  synthError?: string;
}

const memo = new Map<string, Deployed>();

function synth(kind: RotationKind, n: number, limit: boolean): TemplateCounts {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-scale-'));
  try {
    const app = new App({ outdir, context: limit ? {} : { '@aws-cdk/core:stackResourceLimit': 0 } });
    const stack = rotationStack(app, kind, n);
    const assembly = app.synth();
    const text = readFileSync(join(assembly.directory, assembly.getStackByName(stack.stackName).templateFile), 'utf8');
    return countTemplate(JSON.parse(text), Buffer.byteLength(text));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The stack of N secrets of one kind, and what it deploys. */
export function deployed(kind: RotationKind, n: number): Deployed {
  const key = `${kind}:${n}`;
  const hit = memo.get(key);
  if (hit) return hit;
  let synthError: string | undefined;
  let template: TemplateCounts;
  try {
    template = synth(kind, n, true);
  } catch (e) {
    synthError = (e as Error).message.split('\n')[0].replace(/: AWS::.*/, '');
    template = synth(kind, n, false);
  }
  const nestedStacks = kind === 'hosted' ? template.byType['AWS::SecretsManager::RotationSchedule'] ?? 0
    : kind === 'sar' ? template.byType['AWS::Serverless::Application'] ?? 0 : 0;
  const parentResources = template.resources + (kind === 'hosted' ? nestedStacks : 0);
  const d: Deployed = {
    kind, n, template, parentResources, nestedStacks,
    totalResources: parentResources + nestedStacks * NESTED_RESOURCES,
    lambdaFunctions: (template.byType['AWS::Lambda::Function'] ?? 0) + nestedStacks,
    kmsKeys: template.byType['AWS::KMS::Key'] ?? 0,
    secrets: template.byType['AWS::SecretsManager::Secret'] ?? 0,
    synthError,
  };
  memo.set(key, d);
  return d;
}

/** What N secrets add to the stack of the VPC and database alone. */
export function added(kind: Exclude<RotationKind, 'base'>, n: number) {
  const d = deployed(kind, n);
  const base = deployed('base', 0);
  return {
    d,
    resources: d.totalResources - base.totalResources,
    parentResources: d.parentResources - base.parentResources,
    lambdaFunctions: d.lambdaFunctions - base.lambdaFunctions,
    nestedStacks: d.nestedStacks,
    kmsKeys: d.kmsKeys - base.kmsKeys,
    secrets: d.secrets - base.secrets,
    bytes: d.template.bytes - base.template.bytes,
  };
}

const LABEL: Record<string, string> = { ours: 'RotatingSecret', hosted: 'HostedRotation', sar: 'SecretRotation' };

export function runRotationScale(): { rows: Row[]; results: object } {
  const rows: Row[] = [];
  const results: Record<string, unknown> = { nestedRotationStack: NESTED_ROTATION_STACK, byN: {} };
  const describe = (a: ReturnType<typeof added>) =>
    `${a.resources} res (${round(a.resources / a.d.n, 1)}/secret), ${a.lambdaFunctions} fn, ${a.nestedStacks} nested, +${fmtBytes(a.bytes)}`;
  for (const n of SCALE_NS) {
    const ours = added('ours', n);
    const entry: Record<string, unknown> = {};
    for (const kind of ROTATION_KINDS) {
      const a = added(kind, n);
      entry[kind] = { ...a, d: undefined, template: a.d.template, parentResources: a.d.parentResources, totalResources: a.d.totalResources, synthError: a.d.synthError };
    }
    (results.byN as Record<number, unknown>)[n] = entry;
    for (const kind of ['hosted', 'sar'] as const) {
      const other = added(kind, n);
      const errors = [ours, other].filter((x) => x.d.synthError).map((x) => `${LABEL[x.d.kind]} refused at synth: ${x.d.synthError}`);
      rows.push({
        section: '2 rotation at scale',
        measure: `N=${n} deployed (vs ${LABEL[kind]})`,
        ours: describe(ours),
        other: describe(other),
        ratio: ratio(ours.resources, other.resources),
        note: errors.join('; ') || undefined,
      });
    }
  }
  return { rows, results };
}
