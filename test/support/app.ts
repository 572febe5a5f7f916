import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, AppProps, Stack, StackProps } from 'aws-cdk-lib';

/**
 * The feature flags of cdk.json: every flag a new `cdk init app` sets (copied from one), so tests see
 * the templates a user's app synthesizes.
 */
export const RECOMMENDED_FLAGS: Readonly<Record<string, unknown>> = Object.fromEntries(
  Object.entries<unknown>(JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context)
    .filter(([key]) => key.startsWith('@aws-cdk')),
);

/** Which feature flags a test app is built with. */
export type FeatureFlags = 'recommended' | 'none';

export interface TestAppProps extends AppProps {
  /** @default 'recommended' */
  readonly featureFlags?: FeatureFlags;
}

/**
 * The one way tests make an App: with the recommended feature flags of a `cdk init` app (or none, for
 * the tests that prove a construct also behaves in an app that predates them), without writing
 * `aws:cdk:path` or version metadata.
 */
export function testApp(props: TestAppProps = {}): App {
  const { featureFlags = 'recommended', context, ...rest } = props;
  return new App({
    ...rest,
    context: { ...(featureFlags === 'recommended' ? RECOMMENDED_FLAGS : {}), ...context },
  });
}

/** A stack in a new test app, in account 111111111111 / us-east-1 unless `props.env` says otherwise. */
export function testStack(id = 'Test', props: StackProps & { featureFlags?: FeatureFlags } = {}): Stack {
  const { featureFlags, ...stackProps } = props;
  return new Stack(testApp({ featureFlags }), id, { env: { account: '111111111111', region: 'us-east-1' }, ...stackProps });
}

/** Both flag sets, for `describe.each(FLAG_SETS)`. */
export const FLAG_SETS: FeatureFlags[] = ['recommended', 'none'];
