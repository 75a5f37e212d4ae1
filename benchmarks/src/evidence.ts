/**
 * Figures with their evidence (issue 42): a percentile with its n and a 95 % bootstrap confidence
 * interval, a p99 only where the sample can carry one, and a least-squares slope that refuses to
 * print when it cannot be trusted. The randomness is seeded (pure-rand), so the same samples give
 * the same interval; the regression comes from simple-statistics, the t quantile from jStat.
 */
import jStat from 'jstat';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { linearRegression, linearRegressionLine, rSquared } from 'simple-statistics';
import { percentiles, round } from './stats.ts';

/** Below this many samples a "p99" is one of the largest few values: the table prints the maximum of n instead. */
export const P99_MIN_N = 1_000;
/** Resamples per bootstrap interval. */
export const BOOTSTRAP_RESAMPLES = 1_000;

/** A seeded source of integers in [0, n). */
export const seededInts = (seed: number) => {
  const rng = xoroshiro128plus(seed);
  return (n: number) => uniformInt(rng, 0, n - 1);
};

/** A 95 % percentile-bootstrap interval of `stat` over `xs` (resampled with replacement, seeded). */
export const bootstrapCi = (
  xs: number[],
  stat: (sample: number[]) => number,
  seed: number,
  resamples = BOOTSTRAP_RESAMPLES,
): [number, number] => {
  if (xs.length === 0) return [NaN, NaN];
  const pick = seededInts(seed);
  const stats = Array.from({ length: resamples }, () => stat(Array.from(xs, () => xs[pick(xs.length)]!)));
  return ends(stats, resamples);
};

const ends = (stats: number[], resamples: number): [number, number] => {
  const sorted = stats.sort((a, b) => a - b);
  return [round(sorted[Math.floor(0.025 * resamples)]!), round(sorted[Math.ceil(0.975 * resamples) - 1]!)];
};

/**
 * `bootstrapCi` of the nearest-rank `q`-th percentile, fast: a resample of a sorted sample is a
 * multiset of its indices, and its k-th smallest value the value at its k-th smallest index — so
 * each resample sorts integers in a typed array instead of copying and sorting values.
 */
export const bootstrapPercentileCi = (
  xs: number[],
  q: number,
  seed: number,
  resamples = BOOTSTRAP_RESAMPLES,
): [number, number] => {
  const n = xs.length;
  if (n === 0) return [NaN, NaN];
  const sorted = [...xs].sort((a, b) => a - b);
  const k = Math.min(n - 1, Math.max(0, Math.ceil((q / 100) * n) - 1));
  const pick = seededInts(seed);
  const idx = new Uint32Array(n);
  const stats: number[] = [];
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) idx[i] = pick(n);
    idx.sort();
    stats.push(sorted[idx[k]!]!);
  }
  return ends(stats, resamples);
};

/** One latency figure with what it rests on. */
export interface Estimate {
  n: number;
  p50: number;
  p50Ci: [number, number];
  /** The p99 when n ≥ P99_MIN_N, else absent (see `max`). */
  p99?: number;
  p99Ci?: [number, number];
  max: number;
}

/** p50 with its CI, and p99 with its CI where n allows it — else only the maximum of n. */
export const estimate = (xs: number[], seed: number): Estimate => {
  const p = percentiles(xs);
  const base = { n: xs.length, p50: round(p.p50!), p50Ci: bootstrapPercentileCi(xs, 50, seed), max: round(p.max) };
  return xs.length >= P99_MIN_N
    ? { ...base, p99: round(p.p99!), p99Ci: bootstrapPercentileCi(xs, 99, seed + 1) }
    : base;
};

/** `p50 [lo–hi]` as a table cell. */
export const p50Cell = (e: Estimate, digits = 0) =>
  `${e.p50.toFixed(digits)} [${e.p50Ci[0].toFixed(digits)}–${e.p50Ci[1].toFixed(digits)}]`;
/** `p99 [lo–hi]`, or `max X of n` where n is too small for a p99. */
export const tailCell = (e: Estimate, digits = 0) =>
  e.p99 !== undefined && e.p99Ci
    ? `${e.p99.toFixed(digits)} [${e.p99Ci[0].toFixed(digits)}–${e.p99Ci[1].toFixed(digits)}]`
    : `max ${e.max.toFixed(digits)} of ${e.n}`;

/** A slope fitted over points, or why none is printed. */
export type Slope =
  { ok: true; slope: number; ci: [number, number]; r2: number; points: number } | { ok: false; why: string };

/** What a slope must rest on to be printed. */
export const SLOPE_RULES = { minRates: 4, minSpan: 3, minR2: 0.9 } as const;

/**
 * The least-squares slope of y over x with its 95 % interval (t with n−2 degrees of freedom) and
 * R² — or the reason it is not a figure: fewer than 4 distinct x, a span under 3×, a slope not
 * above 0, an interval that includes 0, or R² < 0.9.
 */
export const slopeOf = (points: [number, number][]): Slope => {
  const xs = [...new Set(points.map(([x]) => x))];
  if (xs.length < SLOPE_RULES.minRates)
    return { ok: false, why: `${xs.length} rate(s), ${SLOPE_RULES.minRates} needed` };
  const span = Math.max(...xs) / Math.min(...xs);
  if (!(span >= SLOPE_RULES.minSpan))
    return { ok: false, why: `rates span ${round(span)}×, ${SLOPE_RULES.minSpan}× needed` };
  const fit = linearRegression(points);
  const line = linearRegressionLine(fit);
  const r2 = rSquared(points, line);
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  const ssr = points.reduce((a, [x, y]) => a + (y - line(x)) ** 2, 0);
  const se = n > 2 ? Math.sqrt(ssr / (n - 2) / sxx) : Infinity;
  const half = n > 2 ? jStat.studentt.inv(0.975, n - 2) * se : Infinity;
  const ci: [number, number] = [round(fit.m - half), round(fit.m + half)];
  if (!(fit.m > 0)) return { ok: false, why: `slope ${round(fit.m)} ≤ 0` };
  if (!(ci[0] > 0)) return { ok: false, why: `95 % CI ${ci[0]}–${ci[1]} includes 0` };
  if (!(r2 >= SLOPE_RULES.minR2)) return { ok: false, why: `R² ${round(r2)} < ${SLOPE_RULES.minR2}` };
  return { ok: true, slope: round(fit.m), ci, r2: round(r2), points: n };
};

/** A slope as a cell: `17.6 [16.9–18.3], R² 0.99`, or `— (why)`. */
export const slopeCell = (s: Slope) => (s.ok ? `${s.slope} [${s.ci[0]}–${s.ci[1]}], R² ${s.r2}` : `— (${s.why})`);
