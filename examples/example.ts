import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * One deployable example app. `build` adds the example's stacks to `scope` (an App or a Stage) and
 * returns them, so bin/app.ts, the snapshot tests and the compliance tests all see the same stacks.
 */
export interface Example {
  /** Kebab-case name, also the prefix of the example's stack names. */
  readonly name: string;
  /** One line for the synth summary. */
  readonly description: string;
  readonly build: (scope: Construct) => Stack[];
}
