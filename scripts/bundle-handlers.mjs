// Bundles every Lambda entry point under handlers/ (files named `*.lambda.ts`) with esbuild into
// assets/<folder>/<name>/index.js, e.g. handlers/rotation/postgres.lambda.ts -> assets/rotation/postgres/index.js.
// The AWS SDK v3 stays external: the Lambda Node.js runtime provides it, which keeps bundles small.
// Each bundle folder also gets THIRD-PARTY-LICENSES.txt with the licence of every npm package bundled
// into it, since the bundles are minified without the packages' own licence comments.
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  const result = await build({
    metafile: true,
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
  writeFileSync(join(dirname(outfile), 'THIRD-PARTY-LICENSES.txt'), thirdPartyLicenses(Object.keys(result.metafile.inputs)));
  const kb = (statSync(outfile).size / 1024).toFixed(0);
  console.log(`bundled ${relative(root, entry)} -> ${relative(root, outfile)} (${kb} KB)`);
}
if (entries.length === 0) console.log('no handlers to bundle');

/** The licence texts of the npm packages whose files esbuild put into a bundle. */
function thirdPartyLicenses(inputs) {
  const packages = new Map();
  for (const input of inputs) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) packages.set(match[1], true);
  }
  const sections = [...packages.keys()].sort().map((dir) => {
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
    const licenceFile = readdirSync(join(root, dir)).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = licenceFile ? readFileSync(join(root, dir, licenceFile), 'utf8').trim() : `License: ${manifest.license ?? 'see the package'}`;
    return `${manifest.name}@${manifest.version} (${manifest.license ?? 'unknown licence'})\n\n${text}`;
  });
  if (sections.length === 0) return 'This bundle contains no third-party npm packages.\n';
  return `This bundle contains the following third-party npm packages.\n\n${sections.join(`\n\n${'-'.repeat(78)}\n\n`)}\n`;
}
