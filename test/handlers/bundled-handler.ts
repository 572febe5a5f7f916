/**
 * Builds a rotation entry point the way `npm run bundle` does (the same esbuild options: minified,
 * the Lambda runtime's Node.js major, AWS SDK external, linked source map) and runs it in a child
 * process: the deployable artefact, with its own environment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { build, type BuildOptions } from 'esbuild';
import { handlerBundleOptions } from '../../scripts/handler-bundles';
import type { Handler } from './harness';

const ROOT = resolve(__dirname, '..', '..');

export interface BundledHandler {
  readonly handler: Handler;
  /** Every line the process wrote to stdout and stderr (its Lambda log). */
  readonly output: string[];
  stop(): Promise<void>;
}

/** The esbuild options `npm run bundle` uses, for handlers/rotation/<name>.lambda.ts. */
export function rotationBundleOptions(name: string): BuildOptions {
  return handlerBundleOptions(join(ROOT, 'handlers', 'rotation', `${name}.lambda.ts`));
}

/** Bundles handlers/rotation/<name>.lambda.ts into a temporary folder inside the repository (so @aws-sdk resolves). */
export async function bundleRotationHandler(name: string): Promise<{ file: string; cleanup: () => void }> {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.tmp', 'bundle-'));
  const file = join(dir, name, 'index.js');
  await build({ ...rotationBundleOptions(name), outfile: file });
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function startBundledHandler(file: string, env: Record<string, string>): BundledHandler {
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'bundle-runner.js'), file], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on('line', (line) => output.push(line));
  const waiting = new Map<number, (result: { ok: boolean; name?: string; message?: string; stack?: string }) => void>();
  createInterface({ input: child.stdio[3] as NodeJS.ReadableStream }).on('line', (line) => {
    const result = JSON.parse(line);
    waiting.get(result.id)?.(result);
    waiting.delete(result.id);
  });
  let next = 0;
  return {
    output,
    handler: (event) => new Promise<void>((resolvePromise, reject) => {
      const id = next++;
      waiting.set(id, (result) => {
        if (result.ok) return resolvePromise();
        const err = new Error(result.message);
        err.name = result.name ?? 'Error';
        err.stack = result.stack;
        reject(err);
      });
      child.stdin!.write(`${JSON.stringify({ id, event })}\n`);
    }),
    async stop() {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.stdin!.end();
      child.kill('SIGTERM');
      await exited;
    },
  };
}
