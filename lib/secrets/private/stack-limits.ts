import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { scopedState } from './scoped-state';

/** CloudFormation's resources per stack, unless the app's context raises CDK's check. */
const DEFAULT_RESOURCE_LIMIT = 500;

/**
 * Registers, once per stack, a synth-time check that the stack's resources fit CloudFormation's
 * limit, with a message that says how many rotated secrets fit (CDK's own check names no cause).
 * `isSecret` tells the constructs whose resources count as a secret's.
 */
export function checkResourceLimit(stack: Stack, isSecret: (c: IConstruct) => boolean): void {
  const state = scopedState(stack, 'resource-limit', () => ({ registered: false }));
  if (state.registered) return;
  state.registered = true;
  stack.node.addValidation({
    validate: () => {
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
    },
  });
}
