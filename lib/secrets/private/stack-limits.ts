import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { scopedState } from '../../private/scoped-state';

/** CloudFormation's resources per stack, unless the app's context raises CDK's check. */
const DEFAULT_RESOURCE_LIMIT = 500;
/** CloudFormation's largest template (uploaded through S3, as CDK deploys), in bytes as CDK counts them. */
const TEMPLATE_SIZE_LIMIT = 1_000_000;
/**
 * Below this many RotatingSecrets a stack's size is not theirs to explain, and resolving the template a
 * second time during validation is not worth its synth time: CDK's own size warning covers it.
 */
const SIZE_CHECK_MIN_SECRETS = 20;

/**
 * Registers, once per stack, synth-time checks that the stack fits CloudFormation's limits on
 * resources (500) and template size (1 MB), with messages that say how many rotated secrets fit (CDK's
 * own resource check names no cause, and its size check only warns).
 * `isSecret` tells the constructs whose resources count as a secret's.
 */
export function checkStackLimits(stack: Stack, isSecret: (c: IConstruct) => boolean): void {
  const state = scopedState(stack, 'secrets.resource-limit', () => ({ registered: false }));
  if (state.registered) return;
  state.registered = true;
  stack.node.addValidation({
    validate: () => {
      const tooMany = resourceLimitErrors(stack, isSecret);
      return tooMany.length > 0 ? tooMany : templateSizeErrors(stack, isSecret);
    },
  });
}

function resourceLimitErrors(stack: Stack, isSecret: (c: IConstruct) => boolean): string[] {
  const configured = Number(stack.node.tryGetContext('@aws-cdk/core:stackResourceLimit'));
  const limit = configured > 0 ? configured : DEFAULT_RESOURCE_LIMIT;
  const resources = stack.node.findAll().filter((c) => CfnResource.isCfnResource(c) && Stack.of(c) === stack);
  if (resources.length <= limit) return [];
  const secrets = stack.node.findAll().filter((c) => isSecret(c) && Stack.of(c) === stack);
  const ofSecrets = resources.filter((r) => secrets.some((s) => r.node.scopes.includes(s))).length;
  const perSecret = secrets.length > 0 ? ofSecrets / secrets.length : 0;
  const others = resources.length - ofSecrets;
  const fit = perSecret > 0 ? Math.max(0, Math.floor((limit - others) / perSecret)) : 0;
  return [`Stack ${stack.stackName} has ${resources.length} CloudFormation resources, more than CloudFormation's limit of ${limit} per stack: `
    + `its ${secrets.length} RotatingSecrets take ${ofSecrets} (${+perSecret.toFixed(2)} each) and the rest of the stack ${others}, so ${fit} of these secrets fit. `
    + 'Split the secrets across stacks (e.g. one stack per application or team)'
    + (perSecret > 3 ? '; secrets without dedicatedEncryptionKey share the stack\'s key and take 3 resources each' : '')];
}

/**
 * CloudFormation refuses a template over 1 MB; CDK only warns. Measured once the app is prepared (the
 * template is resolved as CDK resolves it to write the file, indented unless suppressed), so the message
 * can say how many of the stack's secrets fit.
 */
function templateSizeErrors(stack: Stack, isSecret: (c: IConstruct) => boolean): string[] {
  const secrets = stack.node.findAll().filter((c) => isSecret(c) && Stack.of(c) === stack);
  if (secrets.length < SIZE_CHECK_MIN_SECRETS) return [];
  // @internal in aws-cdk-lib: the same call CDK makes to write the template
  const template = stack.resolve((stack as unknown as { _toCloudFormation(): unknown })._toCloudFormation()) as { Resources?: Record<string, unknown> };
  const indent = (stack as unknown as { _suppressTemplateIndentation?: boolean })._suppressTemplateIndentation ? 0 : 1;
  const size = (value: unknown) => Buffer.byteLength(JSON.stringify(value, undefined, indent));
  const bytes = size(template);
  if (bytes <= TEMPLATE_SIZE_LIMIT) return [];
  const resources = template.Resources ?? {};
  const secretIds = new Set(stack.node.findAll()
    .filter((c) => CfnResource.isCfnResource(c) && Stack.of(c) === stack && secrets.some((s) => c.node.scopes.includes(s)))
    .map((c) => stack.resolve((c as CfnResource).logicalId)));
  const ofSecrets = Object.entries(resources).filter(([id]) => secretIds.has(id)).reduce((sum, [id, r]) => sum + size({ [id]: r }), 0);
  const perSecret = ofSecrets / secrets.length;
  const fit = Math.max(0, Math.floor((TEMPLATE_SIZE_LIMIT - (bytes - ofSecrets)) / perSecret));
  return [`Stack ${stack.stackName}'s template is ${bytes} bytes, more than CloudFormation's limit of ${TEMPLATE_SIZE_LIMIT} bytes (1 MB): `
    + `its ${secrets.length} RotatingSecrets take about ${ofSecrets} (${Math.round(perSecret)} each) and the rest of the stack ${bytes - ofSecrets}, so about ${fit} of these secrets fit. `
    + 'Split the secrets across stacks (e.g. one stack per application or team), or shorten their names and descriptions'];
}
