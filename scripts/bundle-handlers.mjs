// Bundles every Lambda entry point under handlers/ (files named `*.lambda.ts`) with esbuild into
// assets/<folder>/<name>/index.js, e.g. handlers/rotation/postgres.lambda.ts -> assets/rotation/postgres/index.js.
// The AWS SDK v3 stays external: the Lambda Node.js runtime provides it, which keeps bundles small.
import { build } from 'esbuild';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const handlersDir = join(root, 'handlers');
const assetsDir = join(root, 'assets');

function findEntries(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findEntries(path);
    return entry.name.endsWith('.lambda.ts') ? [path] : [];
  });
}

rmSync(assetsDir, { recursive: true, force: true });
const entries = findEntries(handlersDir);
for (const entry of entries) {
  const folder = relative(handlersDir, dirname(entry));
  const name = basename(entry, '.lambda.ts');
  const outfile = join(assetsDir, folder, name, 'index.js');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    // pg-native is pg's optional native binding, never used in Lambda
    external: ['@aws-sdk/*', 'pg-native'],
    legalComments: 'none',
    logLevel: 'warning',
  });
  const kb = (statSync(outfile).size / 1024).toFixed(0);
  console.log(`bundled ${relative(root, entry)} -> ${relative(root, outfile)} (${kb} KB)`);
}
if (entries.length === 0) console.log('no handlers to bundle');
