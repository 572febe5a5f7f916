// How every Lambda entry point under handlers/ (files named `*.lambda.ts`) is bundled: one place for
// `npm run bundle` (scripts/bundle-handlers.ts) and the tests that build a bundle themselves.
import { readdirSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { BuildOptions } from 'esbuild';
import { OLDEST_NODEJS_MAJOR } from '../lib/private/lambda-runtime';

export const ROOT = resolve(__dirname, '..');
export const HANDLERS_DIR = join(ROOT, 'handlers');
export const ASSETS_DIR = join(ROOT, 'assets');

/** Every entry point, e.g. handlers/rotation/postgres.lambda.ts. */
export function handlerEntries(dir = HANDLERS_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return handlerEntries(path);
    return entry.name.endsWith('.lambda.ts') ? [path] : [];
  });
}

/** Where `npm run bundle` writes an entry point: handlers/rotation/postgres.lambda.ts -> assets/rotation/postgres/index.js. */
export function assetFileOf(entry: string): string {
  return join(ASSETS_DIR, relative(HANDLERS_DIR, dirname(entry)), basename(entry, '.lambda.ts'), 'index.js');
}

/**
 * The esbuild options of one entry point. The AWS SDK v3 stays external: the Lambda Node.js runtime
 * provides it, which keeps bundles small. The target is the Node.js major of the oldest runtime a
 * function may be given (lib/private/lambda-runtime.ts). A linked source map without the sources'
 * text (the functions run with --enable-source-maps) turns a stack trace's bundle positions into
 * handlers/...ts lines at a fraction of the size the sources would add.
 */
export function handlerBundleOptions(entry: string): BuildOptions {
  return {
    entryPoints: [entry],
    bundle: true,
    minify: true,
    platform: 'node',
    target: `node${OLDEST_NODEJS_MAJOR}`,
    format: 'cjs',
    // pg-native is pg's optional native binding, never used in Lambda
    external: ['@aws-sdk/*', 'pg-native'],
    legalComments: 'none',
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
  };
}
