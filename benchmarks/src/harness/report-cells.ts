import type { StepResult } from './driver.ts';
import { floorOf } from './floors.ts';
import { spread, type Spread } from '../stats.ts';
import { P99_MIN_N } from '../evidence.ts';
import type { Usage } from './usage.ts';
import type { Results } from './report.ts';

/** The cells, tables and per-saga figures the report's sections share (report.ts). */

export type Step = Omit<StepResult, 'samples' | 'ids'>;
export interface Section {
  name: string;
  title: string;
  body: string;
}
/** One section of the report from a run's results; undefined when the run has no data for it. */
export type Build = (r: Results) => Section | undefined;
/** A section from its title and its parts (empty parts left out). */
export const section = (name: string, title: string, ...body: string[]): Section => ({
  name,
  title,
  body: body.filter(Boolean).join('\n\n'),
});

/** Latency histogram buckets (upper bounds, ms) for results.json: the raw distribution, compactly. */
const BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 30_000, Infinity];
export const histogram = (ms: number[]) =>
  BUCKETS.map((le, i) => ({
    le: Number.isFinite(le) ? le : '+Inf',
    count: ms.filter((x) => x <= le && (i === 0 || x > BUCKETS[i - 1]!)).length,
  }));

/** A step as results.json keeps it: its samples as a histogram, without the per-saga lists. */
export const strip = ({
  samples,
  ids: _ids,
  decidedMs: _decided,
  doneMs: _done,
  ...rest
}: StepResult & { decidedMs?: number[]; doneMs?: number[] }): Step & { histogram: ReturnType<typeof histogram> } => ({
  ...rest,
  histogram: histogram(samples.map((s) => s.ms)),
});

export const ratio = (r: Results, mode: string, p50: number | undefined) => {
  const m = r.modes.find((x) => x.name === mode);
  if (!r.floors || !m || p50 === undefined) return '—';
  const floor = floorOf(r.floors, m);
  return `${(p50 / floor).toFixed(1)}× (floor ${Math.round(floor)} ms)`;
};

/** The parts metered; `temporal-server` is the mode's engine server, Temporal's or Restate's (its key kept for older runs). */
export const PARTS = ['coordinator', 'services', 'postgres', 'kafka', 'temporal-server'] as const;
/** The share of the offered rate a step must complete for its CPU to be a cost per saga, not "the cores ÷ throughput". */
export const KEPT_UP = 0.95;
/** Whether a step kept up: ≥ KEPT_UP of its sagas finished, at ≥ KEPT_UP of the offered rate. */
export const keptUp = (st: Pick<Step, 'rate' | 'count' | 'notTerminal' | 'errors' | 'throughput'>) =>
  st.count > 0 && st.count - st.notTerminal - st.errors >= KEPT_UP * st.count && st.throughput >= KEPT_UP * st.rate;
/**
 * CPU seconds of each part (in PARTS order; undefined where the step has none) per 1,000 finished
 * sagas of one latency step, and their total — only for a step that kept up (`keptUp`): in one
 * that fell behind the machine was saturated and the figure is the cores divided by the throughput.
 */
export const perThousand = (st: Step & { usage?: Usage }) => {
  const n = st.count - st.notTerminal - st.errors;
  if (!st.usage || !n || !keptUp(st)) return undefined;
  const cpu = PARTS.map((k) => (st.usage![k] ? (st.usage![k].cpuSeconds / n) * 1000 : undefined));
  return { n, cpu, total: cpu.reduce<number>((a, c) => a + (c ?? 0), 0) };
};
/** `perThousand` over one rate's repetitions: each part's and the total's values (one per metered repetition), the highest RSS. */
export const perThousandAt = (at: (Step & { usage?: Usage })[]) => {
  const us = at.flatMap((st) => {
    const u = perThousand(st);
    return u ? [u] : [];
  });
  if (!us.length) return undefined;
  return {
    n: us.reduce((a, u) => a + u.n, 0),
    cpu: PARTS.map((_, i) => (us.some((u) => u.cpu[i] !== undefined) ? us.map((u) => u.cpu[i] ?? 0) : undefined)),
    total: us.map((u) => u.total),
    peakRss: PARTS.map((k) =>
      at.some((st) => st.usage?.[k]) ? Math.max(...at.map((st) => st.usage?.[k]?.peakRssMiB ?? 0)) : undefined,
    ),
    processes: Math.max(...at.map((st) => PARTS.reduce((a, k) => a + (st.usage?.[k]?.processes ?? 0), 0))),
  };
};
/**
 * A tail figure by the p99 rule (issue 42): the p99 of a sample of at least `P99_MIN_N`, else the
 * largest value with its n — a "p99" of 100 is the second-largest value, not a percentile. Over
 * repetitions, each one's figure, as `sp` prints them.
 */
export const tailOfSteps = (xs: { p99: number; max?: number; count: number }[]) => {
  if (!xs.length) return '—';
  const n = Math.min(...xs.map((x) => x.count));
  if (n >= P99_MIN_N)
    return `p99 ${cellOf(
      xs.map((x) => x.p99),
      0,
    )}`;
  const maxes = xs.map((x) => x.max);
  if (maxes.some((m) => m === undefined)) return '—'; // a run before issue 42 kept no maximum
  return `max ${cellOf(maxes as number[], 0)} of ${n}${xs.length > 1 ? ' each' : ''}`;
};
/**
 * One tail figure by the same rule. Runs before issue 42 did not record its n: when the slice's
 * sagas (`bound`) are under 1,000 so is n, and the cell gives the largest where the run kept it.
 */
export const tailOrMax = (
  p99: number | null,
  max: number | null | undefined,
  n: number | undefined,
  bound?: number,
) => {
  if (p99 === null) return '—';
  if (n === undefined) {
    if (bound === undefined || bound >= P99_MIN_N) return `${p99} (n not recorded)`;
    return max == null ? `— (under ${P99_MIN_N.toLocaleString('en')} sagas)` : `max ${max} of ≤ ${bound}`;
  }
  return n >= P99_MIN_N ? `${p99}` : `max ${max ?? '—'} of ${n}`;
};
/** Repeated values in a cell: `median (min–max)`, or the one value as it always printed. */
/**
 * Repetitions as `median (min–max)`, or one value when they agree to the digits shown;
 * `digits` rounds each (0: whole numbers; unset: as measured).
 */
export const sp = (s: Spread | null | undefined, digits?: number) => {
  if (!s) return '—';
  const f = (x: number) => (digits === undefined ? `${x}` : digits === 0 ? String(Math.round(x)) : x.toFixed(digits));
  return f(s.min) === f(s.max) ? f(s.median) : `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
};
/** Repeated values in a cell, formatted as `sp` does; one value exactly as it always printed. */
export const cellOf = (xs: number[], digits: number) =>
  xs.length === 1 ? sp({ median: xs[0]!, min: xs[0]!, max: xs[0]!, n: 1 }, digits) : sp(spread(xs), digits);
/** A recovery figure over the repetitions of one fault on one mode: `median (min–max)`, and how many had none. */
export const recoveryCell = (xs: (number | null)[], none: string) => {
  const got = xs.filter((x): x is number => x !== null);
  if (!got.length) return none;
  const missing = xs.length - got.length;
  return `${cellOf(got, got.every(Number.isInteger) ? 0 : 1)}${missing ? `; ${missing} of ${xs.length}: ${none}` : ''}`;
};

export const table = (head: string[], rows: (string | number)[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join(
    '\n',
  );
