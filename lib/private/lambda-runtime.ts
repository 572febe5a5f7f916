import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * The runtime of every Lambda function this library creates unless a prop says otherwise: the
 * newest Node.js runtime that the lowest aws-cdk-lib of the peer range (2.257.0) names.
 *
 * It is the one place the Node.js major is written down. The handler bundles are built for it
 * (esbuild target, scripts/handler-bundles.ts), the handler tests and the benchmark run on it too
 * (scripts/lambda-node.ts), and it is the oldest runtime a user may choose, so a bundle never
 * meets a Node.js older than the one it was built for.
 */
export const DEFAULT_NODEJS_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** The Node.js major of a `nodejsNN.x` runtime, or undefined for any other runtime. */
export function nodejsMajor(runtime: lambda.Runtime): number | undefined {
  if (runtime.family !== lambda.RuntimeFamily.NODEJS) return undefined;
  const match = /^nodejs(\d+)\.x$/.exec(runtime.name);
  return match ? Number(match[1]) : undefined;
}

/** The Node.js major the bundles are built for, and the oldest a function may run on. */
export const OLDEST_NODEJS_MAJOR = nodejsMajor(DEFAULT_NODEJS_RUNTIME)!;

/**
 * The runtime a function of the library runs on: `runtime`, after checking that the bundles run on
 * it, or the default. `where` and `prop` name the construct and prop in the error.
 */
export function nodejsRuntime(runtime: lambda.Runtime | undefined, where: string, prop: string): lambda.Runtime {
  if (runtime === undefined) return DEFAULT_NODEJS_RUNTIME;
  const major = nodejsMajor(runtime);
  if (major === undefined || major < OLDEST_NODEJS_MAJOR) {
    throw new Error(`${where}: ${prop} must be a Node.js runtime of version ${OLDEST_NODEJS_MAJOR} or newer (the function's code is built for `
      + `Node.js ${OLDEST_NODEJS_MAJOR}), got ${runtime.name}; leave ${prop} out for ${DEFAULT_NODEJS_RUNTIME.name}, or name a newer one, `
      + `e.g. new lambda.Runtime('nodejs${OLDEST_NODEJS_MAJOR + 2}.x', lambda.RuntimeFamily.NODEJS)`);
  }
  return runtime;
}
