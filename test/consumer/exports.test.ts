import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';
import * as library from '../../lib';

/**
 * The consumer app (test/consumer/app, run against the packed library by `npm run test:consumer`)
 * must use every public runtime export of lib/index.ts: each construct, enum-like class and enum.
 * Interfaces and types have no runtime value; the app's compiler checks those it uses.
 */
const APP = join(__dirname, 'app');
const PACKAGE = 'cdk-security-patterns';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (['node_modules', 'cdk.out', 'compliance'].includes(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

interface AppUse {
  /** Names imported from the package, by file. */
  readonly imported: Map<string, string[]>;
  /** Identifiers used outside import declarations, over all files. */
  readonly used: Set<string>;
  /** Module specifiers that reach outside the app (into the repo). */
  readonly outside: string[];
  readonly namespaceImports: string[];
}

function appUse(): AppUse {
  const imported = new Map<string, string[]>();
  const used = new Set<string>();
  const outside: string[] = [];
  const namespaceImports: string[] = [];
  for (const file of sourceFiles(APP)) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const where = relative(APP, file);
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        const specifier = node.moduleSpecifier.text;
        if (specifier.startsWith('.') && relative(APP, join(file, '..', specifier)).startsWith('..')) outside.push(`${where}: ${specifier}`);
        const bindings = node.importClause?.namedBindings;
        if (specifier === PACKAGE) {
          if (bindings && ts.isNamespaceImport(bindings)) namespaceImports.push(where);
          if (bindings && ts.isNamedImports(bindings)) imported.set(where, bindings.elements.map((e) => (e.propertyName ?? e.name).text));
        }
        return;
      }
      if (ts.isIdentifier(node)) used.add(node.text);
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { imported, used, outside, namespaceImports };
}

// interfaces re-exported by name come through the test transpiler (isolatedModules) as undefined
const runtimeExports = Object.entries(library).filter(([, value]) => value !== undefined).map(([name]) => name).sort();
const use = appUse();

test('the library has runtime exports to check', () => {
  expect(runtimeExports).toEqual(expect.arrayContaining(['CrossAccountRole', 'RotatingSecret', 'RotationStrategy', 'UserDataAccess']));
});

test('the consumer app imports every runtime export of lib/index.ts from the package, and uses it', () => {
  const importedNames = new Set([...use.imported.values()].flat());
  const unused = runtimeExports.filter((name) => !importedNames.has(name) || !use.used.has(name));
  if (unused.length > 0) {
    throw new Error(`the consumer app does not use ${unused.join(', ')}: import it from '${PACKAGE}' and use it in `
      + 'test/consumer/app/lib/<area>-stack.ts (then npm run test:consumer)');
  }
});

test('the consumer app imports the library only by its package name, by name', () => {
  expect(use.outside).toEqual([]);
  expect(use.namespaceImports).toEqual([]);
});
