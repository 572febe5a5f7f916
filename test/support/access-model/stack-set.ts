import { Stack, Stage, Token } from 'aws-cdk-lib';
import type { TemplateInput } from './types';

/** Account and region given to stacks whose environment is unresolved (env-agnostic stacks). */
export const DEFAULT_ACCOUNT = '111111111111';
export const DEFAULT_REGION = 'us-east-1';

/** A CloudFormation resource as it appears in a template. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Condition?: string;
}

/** One synthesized stack (or hand-written template) with the environment it is deployed to. */
export interface StackInfo {
  /** Stable key: the CDK artifact id, or the stack name of a hand-written template. */
  readonly key: string;
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  readonly urlSuffix: string;
  readonly template: {
    readonly Resources?: Record<string, TemplateResource>;
    readonly Parameters?: Record<string, { Default?: unknown }>;
    readonly Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
    readonly Conditions?: Record<string, unknown>;
    readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  };
  /** The CDK stack, when the input was one. */
  readonly stack?: Stack;
}

function partitionOf(region: string): { partition: string; urlSuffix: string } {
  if (region.startsWith('cn-')) return { partition: 'aws-cn', urlSuffix: 'amazonaws.com.cn' };
  if (region.startsWith('us-gov-')) return { partition: 'aws-us-gov', urlSuffix: 'amazonaws.com' };
  return { partition: 'aws', urlSuffix: 'amazonaws.com' };
}

/** Synthesizes (or reuses the synthesized) template of each input and fixes its environment. */
export function loadStacks(inputs: ReadonlyArray<Stack | TemplateInput>, defaults: { account: string; region: string }): StackInfo[] {
  const seen = new Set<string>();
  return inputs.map((input) => {
    let info: StackInfo;
    if (Stack.isStack(input)) {
      const stage = Stage.of(input);
      if (!stage) {
        throw new Error(`AccessModel: stack '${input.node.path}' is not part of an App or Stage; create it inside an App so it can be synthesized.`);
      }
      const template = stage.synth().getStackArtifact(input.artifactId).template;
      const account = Token.isUnresolved(input.account) ? defaults.account : input.account;
      const region = Token.isUnresolved(input.region) ? defaults.region : input.region;
      info = { key: input.artifactId, stackName: input.stackName, account, region, ...partitionOf(region), template, stack: input };
    } else {
      if (!input || typeof input.template !== 'object' || typeof input.stackName !== 'string') {
        throw new Error(`AccessModel: expected a Stack or { stackName, template, account?, region? }, got ${JSON.stringify(input)?.slice(0, 200)}.`);
      }
      const account = input.account ?? defaults.account;
      const region = input.region ?? defaults.region;
      info = { key: input.stackName, stackName: input.stackName, account, region, ...partitionOf(region), template: input.template as StackInfo['template'] };
    }
    if (!/^\d{12}$/.test(info.account)) {
      throw new Error(`AccessModel: stack '${info.stackName}' has account '${info.account}', which is not a 12-digit account id; give the stack a concrete env.account.`);
    }
    if (seen.has(info.key)) {
      throw new Error(`AccessModel: stack '${info.stackName}' is given twice; pass each stack once.`);
    }
    seen.add(info.key);
    return info;
  });
}
