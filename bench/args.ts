/** The command line of `npm run bench` (bench/index.ts). */
export const SECTIONS = ['overhead', 'scale', 'growth', 'engine', 'cost', 'user-app', 'tests'] as const;
export type Section = typeof SECTIONS[number];

export interface BenchArgs { quick: boolean; only: Section[]; withTests: boolean }

/** Parses the command line; unknown flags and sections fail with the list of valid ones. */
export function parseArgs(argv: readonly string[]): BenchArgs {
  let quick = false;
  let withTests = false;
  let only: Section[] | undefined;
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg === '--with-tests') withTests = true;
    else if (arg.startsWith('--only=')) {
      only = arg.slice('--only='.length).split(',').filter(Boolean).map((name) => {
        const byNumber = /^\d+$/.test(name) ? SECTIONS[Number(name) - 1] : undefined;
        const section = byNumber ?? SECTIONS.find((s) => s === name);
        if (!section) throw new Error(`bench: unknown section '${name}' in ${arg}; use 1-7 or ${SECTIONS.join(', ')}`);
        return section;
      });
      if (only.length === 0) throw new Error(`bench: ${arg} names no section; use 1-7 or ${SECTIONS.join(', ')}`);
    } else {
      throw new Error(`bench: unknown argument '${arg}'; use --quick, --with-tests, --only=<section>[,<section>] (1-7 or ${SECTIONS.join(', ')})`);
    }
  }
  return { quick, withTests: withTests || (only?.includes('tests') ?? false), only: only ?? [...SECTIONS] };
}
