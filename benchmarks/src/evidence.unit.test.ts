import { describe, expect, it } from 'vitest';
import {
  bootstrapCi,
  bootstrapPercentileCi,
  estimate,
  P99_MIN_N,
  p50Cell,
  slopeCell,
  slopeOf,
  tailCell,
} from './evidence.ts';
import { percentiles } from './stats.ts';

const uniform = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('percentiles with their evidence', () => {
  it('prints "max of n" where a sample is too small for a p99, and a p99 with its interval from 1,000 on', () => {
    const small = estimate(uniform(50), 1);
    expect(small).toMatchObject({ n: 50, p50: 25, max: 50 });
    expect(small.p99).toBeUndefined();
    expect(tailCell(small)).toBe('max 50 of 50');
    const big = estimate(uniform(P99_MIN_N), 1);
    expect(big.p99).toBe(990);
    expect(big.p99Ci![0]).toBeLessThanOrEqual(990);
    expect(big.p99Ci![1]).toBeGreaterThanOrEqual(990);
    expect(tailCell(big)).toMatch(/^990 \[\d+–\d+\]$/);
  });

  it('bootstraps a 95 % interval that holds the statistic, narrows with n, and repeats with its seed', () => {
    const p50 = (s: number[]) => percentiles(s, [50]).p50!;
    const [lo, hi] = bootstrapCi(uniform(100), p50, 7);
    expect(lo).toBeLessThan(50);
    expect(hi).toBeGreaterThan(50);
    const wide = bootstrapPercentileCi(uniform(100), 50, 7);
    const narrow = bootstrapPercentileCi(
      uniform(10_000).map((x) => x / 100),
      50,
      7,
    );
    expect(narrow[1] - narrow[0]).toBeLessThan(wide[1] - wide[0]);
    expect(bootstrapCi(uniform(100), p50, 7)).toEqual([lo, hi]);
    expect(p50Cell(estimate(uniform(100), 7))).toMatch(/^50 \[\d+–\d+\]$/);
    // The fast percentile bootstrap draws the same resamples as the general one: the same interval.
    expect(bootstrapPercentileCi(uniform(100), 50, 7)).toEqual(bootstrapCi(uniform(100), p50, 7));
  });
});

describe('a slope that cannot go negative silently', () => {
  const line = (rates: number[], perSaga: number, noise: number[] = []) =>
    rates.map((r, i): [number, number] => [r, 100 + perSaga * r + (noise[i] ?? 0)]);

  it('fits a clean line over four rates spanning 8× with its interval and R²', () => {
    const s = slopeOf(line([10, 20, 40, 80], 20, [3, -2, 4, -1]));
    expect(s.ok).toBe(true);
    if (s.ok) {
      expect(s.slope).toBeCloseTo(20, 0);
      expect(s.ci[0]).toBeLessThan(s.slope);
      expect(s.ci[1]).toBeGreaterThan(s.slope);
      expect(s.r2).toBeGreaterThan(0.99);
    }
  });

  it('refuses, with the reason, two rates, a narrow span, a negative slope, an interval through 0 and a poor fit', () => {
    expect(slopeCell(slopeOf(line([10, 20], 20)))).toBe('— (2 rate(s), 4 needed)');
    expect(slopeCell(slopeOf(line([10, 12, 15, 20], 20)))).toBe('— (rates span 2×, 3× needed)');
    expect(slopeCell(slopeOf(line([10, 20, 40, 80], -5)))).toMatch(/^— \(slope -5 ≤ 0\)$/);
    expect(slopeCell(slopeOf(line([10, 20, 40, 80], 5, [-300, 300, -300, 300])))).toMatch(
      /^— \(95 % CI -\d+(\.\d+)?–\d+(\.\d+)? includes 0\)$/,
    );
    const poor = slopeOf(line([10, 20, 40, 80, 10, 20, 40, 80], 10, [0, 400, -200, 0, 300, -300, 200, 100]));
    expect(poor.ok).toBe(false);
  });
});
