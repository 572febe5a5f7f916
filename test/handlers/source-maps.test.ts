// A rotation failure's stack trace names the TypeScript source line: the bundle carries a linked
// source map, and the function runs with the NODE_OPTIONS its template gives it. The bundle runs in
// its own process with the function's environment from a synthesized template, as on Lambda.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { RotatingSecret, RotationStrategy } from '../../lib/secrets';
import { testStack } from '../support/app';
import { RotationError, withFramesOf } from '../../handlers/rotation/engine/errors';
import { bundleRotationHandler, startBundledHandler, type BundledHandler } from './bundled-handler';
import { RotationRig, standInEnvironment, startAll, uniqueName, type Handler } from './harness';

const ROOT = resolve(__dirname, '..', '..');

let current: Handler = async () => { throw new Error('no bundled handler selected'); };
const rig = new RotationRig((event) => current(event), 'random-key');
let bundle: { file: string; cleanup: () => void } | undefined;
const children: BundledHandler[] = [];

beforeAll(async () => {
  await startAll([rig.start(), bundleRotationHandler('random-key').then((b) => { bundle = b; })]);
});

afterAll(async () => {
  await Promise.all(children.map((c) => c.stop()));
  await rig.stop();
  bundle?.cleanup();
});

/** The environment variables of the random-key rotation function, as the library synthesizes them. */
function deployedEnvironment(): Record<string, string> {
  const stack = testStack('SourceMaps');
  new RotatingSecret(stack, 'ApiKey', { rotation: RotationStrategy.randomKey() });
  const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
  expect(functions).toHaveLength(1);
  return functions[0].Properties.Environment.Variables;
}

/** Runs the bundle in a child with `env` and the stand-in's endpoint; fails testSecret on purpose and returns the error. */
async function failedTestSecret(env: Record<string, string>): Promise<Error> {
  const child = startBundledHandler(bundle!.file, { ...env, ...standInEnvironment(rig.standIn.endpoint) });
  children.push(child);
  current = child.handler;
  const arn = await rig.createSecret(uniqueName('key'), { apiKey: 'initial-api-key-value' });
  await rig.startRotation(arn);
  // a pending value without a new key: testSecret must refuse it
  const pendingToken = await rig.putValue(arn, { apiKey: 'short' }, ['AWSPENDING']);
  const error = await rig.invoke('testSecret', arn, pendingToken).then(() => undefined, (err: Error) => err);
  expect(error?.message).toMatch(/holds no new key of 32 characters/);
  return error!;
}

/** The first stack frame, as `file:line:column`. */
function topFrame(error: Error): { file: string; line: number; column: number } {
  const first = (error.stack ?? '').split('\n').find((l) => /^\s+at /.test(l)) ?? '';
  const match = /\(?([^\s()]+):(\d+):(\d+)\)?$/.exec(first.trim());
  if (!match) throw new Error(`no position in the first stack frame: ${first}\n${error.stack}`);
  return { file: match[1], line: Number(match[2]), column: Number(match[3]) };
}

test('the bundle links a source map that names the handlers/ sources without carrying their text', () => {
  const file = bundle!.file;
  expect(readFileSync(file, 'utf8').trimEnd().split('\n').pop()).toBe('//# sourceMappingURL=index.js.map');
  const map = JSON.parse(readFileSync(`${file}.map`, 'utf8'));
  const sources = (map.sources as string[]).map((s) => resolve(dirname(file), s));
  expect(sources).toContain(join(ROOT, 'handlers', 'rotation', 'random-key', 'strategy.ts'));
  expect(map.sourcesContent).toBeUndefined();
});

test('with the environment the template gives the function, a failed step\'s stack trace names the .ts line that threw', async () => {
  const env = deployedEnvironment();
  expect(env.NODE_OPTIONS).toBe('--enable-source-maps');
  const error = await failedTestSecret(env);
  const frame = topFrame(error);
  expect(frame.file).toMatch(/handlers\/rotation\/[\w/-]+\.ts$/);
  expect(frame.file).toBe(join(ROOT, 'handlers', 'rotation', 'random-key', 'strategy.ts'));
  // the position is exactly where the error is made, not just somewhere in the file
  const sourceLine = readFileSync(frame.file, 'utf8').split('\n')[frame.line - 1];
  expect(sourceLine.slice(frame.column - 1)).toMatch(/^new RotationError\(`the AWSPENDING value of secret .* holds no new key/);
});

test('control: without --enable-source-maps the same failure names only the minified bundle', async () => {
  const { NODE_OPTIONS, ...env } = deployedEnvironment();
  expect(NODE_OPTIONS).toBeDefined();
  const error = await failedTestSecret(env);
  expect(topFrame(error).file).toBe(bundle!.file);
  expect(error.stack).not.toMatch(/\.ts:\d+/);
});

test('a rethrown step error keeps the frames of the original and none of its message lines', () => {
  const original = new Error("syntax error at or near 'hunter2-secret'\n  continued: hunter2-secret");
  original.stack = `error: ${original.message}\n    at Parser.parseErrorMessage (/var/task/node_modules/pg-protocol/src/parser.ts:369:69)\n    at async testSecret (/var/task/handlers/rotation/database/strategies.ts:88:5)`;
  const fresh = withFramesOf(new RotationError('testSecret failed for arn:x: 42601: syntax error'), original);
  expect(fresh.stack).toBe('RotationError: testSecret failed for arn:x: 42601: syntax error\n'
    + '    at Parser.parseErrorMessage (/var/task/node_modules/pg-protocol/src/parser.ts:369:69)\n'
    + '    at async testSecret (/var/task/handlers/rotation/database/strategies.ts:88:5)');
  // control: an original without a stack leaves the fresh error's own
  const own = new RotationError('own');
  const ownStack = own.stack;
  expect(withFramesOf(own, { message: 'no stack' }).stack).toBe(ownStack);
});
