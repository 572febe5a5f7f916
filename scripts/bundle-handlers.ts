// `npm run bundle`: bundles every Lambda entry point under handlers/ into assets/ with esbuild
// (options in scripts/handler-bundles.ts), each with its source map next to it. Each bundle folder
// also gets THIRD-PARTY-LICENSES.txt with the licence of every npm package bundled into it, since
// the bundles are minified without the packages' own licence comments.
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';
import { ASSETS_DIR, assetFileOf, handlerBundleOptions, handlerEntries, ROOT } from './handler-bundles';

/** The licence texts of the npm packages whose files esbuild put into a bundle (`inputs` relative to ROOT). */
function thirdPartyLicenses(inputs: string[]): string {
  const packages = new Set<string>();
  for (const input of inputs) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) packages.add(match[1]);
  }
  const sections = [...packages].sort().map((dir) => {
    const manifest = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'));
    const licenceFile = readdirSync(join(ROOT, dir)).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = licenceFile ? readFileSync(join(ROOT, dir, licenceFile), 'utf8').trim() : `License: ${manifest.license ?? 'see the package'}`;
    return `${manifest.name}@${manifest.version} (${manifest.license ?? 'unknown licence'})\n\n${text}`;
  });
  if (sections.length === 0) return 'This bundle contains no third-party npm packages.\n';
  return `This bundle contains the following third-party npm packages.\n\n${sections.join(`\n\n${'-'.repeat(78)}\n\n`)}\n`;
}

async function main(): Promise<void> {
  rmSync(ASSETS_DIR, { recursive: true, force: true });
  const entries = handlerEntries();
  for (const entry of entries) {
    const outfile = assetFileOf(entry);
    const result = await build({ ...handlerBundleOptions(entry), outfile, metafile: true, absWorkingDir: ROOT });
    writeFileSync(join(dirname(outfile), 'THIRD-PARTY-LICENSES.txt'), thirdPartyLicenses(Object.keys(result.metafile.inputs)));
    const kb = (file: string) => (statSync(file).size / 1024).toFixed(0);
    console.log(`bundled ${relative(ROOT, entry)} -> ${relative(ROOT, outfile)} (${kb(outfile)} KB, map ${kb(`${outfile}.map`)} KB)`);
  }
  if (entries.length === 0) console.log('no handlers to bundle');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
