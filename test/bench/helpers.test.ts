// The benchmark's own arithmetic (bench/): statistics, the command line, the cost model. Fast: no synth.
import { parseArgs, SECTIONS } from '../../bench/args';
import { monthlyCost, PRICES } from '../../bench/prices';
import { ratio, renderMarkdown, renderTable, replaceBetween, stats } from '../../bench/support';

describe('stats', () => {
  test('median of an even count is the mean of the middle two; p95 is the nearest rank', () => {
    const s = stats([5, 1, 4, 2, 3, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect(s).toEqual({ median: 10.5, p95: 19, min: 1, max: 20, n: 20 });
  });
  test('fails when there are no samples', () => {
    expect(() => stats([])).toThrow('stats: no samples');
  });
  test('ratio is undefined against zero', () => {
    expect(ratio(3, 0)).toBeUndefined();
    expect(ratio(3, 2)).toBe(1.5);
  });
});

describe('parseArgs', () => {
  test('every section by default, tests only when asked', () => {
    expect(parseArgs([])).toEqual({ quick: false, withTests: false, only: [...SECTIONS] });
    expect(parseArgs(['--quick', '--only=2,cost'])).toEqual({ quick: true, withTests: false, only: ['scale', 'cost'] });
    expect(parseArgs(['--only=tests']).withTests).toBe(true);
  });
  test('fails when a section is unknown, naming the valid ones', () => {
    expect(() => parseArgs(['--only=speed'])).toThrow("bench: unknown section 'speed' in --only=speed; use 1-7 or overhead, scale, growth, engine, cost, user-app, tests");
    expect(() => parseArgs(['--only=8'])).toThrow(/unknown section '8'/);
  });
  test('fails when an argument is unknown', () => {
    expect(() => parseArgs(['--fast'])).toThrow("bench: unknown argument '--fast'");
  });
});

describe('monthlyCost', () => {
  test('secrets and keys at list price, plus 4 invocations and 10 API calls per rotation', () => {
    const cost = monthlyCost({ secrets: 10, kmsKeys: 1, rotations: 10, invocationMs: 500, memoryMb: 256 });
    const lambda = 40 * PRICES.lambdaRequest + 40 * 0.5 * 0.25 * PRICES.lambdaGbSecond;
    expect(cost).toBeCloseTo(10 * 0.40 + 1.00 + lambda + (100 / 10_000) * 0.05, 10);
  });
});

test('renderTable prints a section name once, and ratios with an x', () => {
  const text = renderTable([
    { section: '1 a', measure: 'm1', ours: '1', other: '2', ratio: 0.5 },
    { section: '1 a', measure: 'm2', ours: '3' },
  ]);
  const lines = text.split('\n');
  expect(lines).toHaveLength(4);
  expect(lines[2]).toMatch(/^1 a +\| m1 +\| 1 +\| 2 +\| 0\.5x/);
  expect(lines[3]).toMatch(/^ +\| m2 /);
});

test('BENCHMARKS.md: the table replaces what stands between the markers, pipes escaped', () => {
  const md = renderMarkdown([{ section: '2 s', measure: 'a | b', ours: '1', ratio: 2 }]);
  expect(md.split('\n')[2]).toBe('| 2 s | a \\| b | 1 |  | 2x |  |');
  expect(replaceBetween('x\n<!-- bench:start -->\nold\n<!-- bench:end -->\ny', 'bench', 'new')).toBe('x\n<!-- bench:start -->\nnew\n<!-- bench:end -->\ny');
  expect(replaceBetween('no markers', 'bench', 'new')).toBeUndefined();
});
