import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

/**
 * What `npm publish` would upload (`npm pack --dry-run`): the files a user gets, so every link in the
 * shipped Markdown must point into it, and the licences must travel with the code.
 */
const root = join(__dirname, '..', '..');
const packed: string[] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))[0]
  .files.map((f: { path: string }) => f.path);
const markdown = packed.filter((p) => p.endsWith('.md'));

/** Relative link targets of a Markdown file, resolved against the package root. */
function relativeLinks(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1].split('#')[0])
    .filter((target) => target !== '' && !/^[a-z]+:/i.test(target))
    .map((target) => normalize(join(dirname(file), target)).replace(/\/$/, ''));
}

test('ships LICENSE (Apache-2.0), NOTICE and the README', () => {
  expect(packed).toEqual(expect.arrayContaining(['LICENSE', 'NOTICE', 'README.md', 'API.md']));
  expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0, January 2004/);
  expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).license).toBe('Apache-2.0');
});

test.each(markdown)('every relative link in %s points to a file the package ships', (file) => {
  const missing = relativeLinks(file).filter((target) => !packed.some((p) => p === target || p.startsWith(`${target}/`)));
  expect(missing).toEqual([]);
});

test('each Lambda bundle carries the licences of the npm packages bundled into it', () => {
  const bundles = packed.filter((p) => /^assets\/.+\/index\.js$/.test(p));
  expect(bundles.length).toBeGreaterThan(0);
  for (const bundle of bundles) {
    expect(packed).toContain(bundle.replace(/index\.js$/, 'THIRD-PARTY-LICENSES.txt'));
  }
  const postgres = readFileSync(join(root, 'assets/rotation/postgres/THIRD-PARTY-LICENSES.txt'), 'utf8');
  expect(postgres).toMatch(/^pg@\d+\.\d+\.\d+ \(MIT\)$/m);
  expect(postgres).toMatch(/Permission is hereby granted, free of charge/);
  expect(readFileSync(join(root, 'assets/rotation/mysql/THIRD-PARTY-LICENSES.txt'), 'utf8')).toMatch(/^mysql2@\d+\.\d+\.\d+ \(MIT\)$/m);
});

test('examples ship as reading material and use only the public API', () => {
  const examples = packed.filter((p) => p.startsWith('examples/'));
  expect(examples.length).toBeGreaterThan(0);
  for (const example of examples) {
    expect({ example, privateImports: readFileSync(join(root, example), 'utf8').match(/from '\.\.\/lib\/.*'/g) ?? [] }).toEqual({ example, privateImports: [] });
  }
});
