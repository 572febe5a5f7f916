// `npm run bundle`: bundles every Lambda entry point under handlers/ into assets/ with esbuild
// (options in scripts/handler-bundles.ts), each with its source map next to it.
import { rmSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { build } from 'esbuild';
import { ASSETS_DIR, assetFileOf, handlerBundleOptions, handlerEntries, ROOT } from './handler-bundles';

async function main(): Promise<void> {
  rmSync(ASSETS_DIR, { recursive: true, force: true });
  const entries = handlerEntries();
  for (const entry of entries) {
    const outfile = assetFileOf(entry);
    await build({ ...handlerBundleOptions(entry), outfile });
    const kb = (file: string) => (statSync(file).size / 1024).toFixed(0);
    console.log(`bundled ${relative(ROOT, entry)} -> ${relative(ROOT, outfile)} (${kb(outfile)} KB, map ${kb(`${outfile}.map`)} KB)`);
  }
  if (entries.length === 0) console.log('no handlers to bundle');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
