import { describe, expect, it } from 'vitest';
import { formatTally, percentiles, repetitions, tally } from './stats.ts';

describe('percentiles', () => {
  it('uses nearest rank', () => {
    const s = Array.from({ length: 100 }, (_, i) => i + 1);
    const p = percentiles(s.reverse());
    expect([p.min, p.p50, p.p90, p.p99, p.max]).toEqual([1, 50, 90, 99, 100]);
    expect(p.mean).toBe(50.5);
  });
  it('handles one sample', () => {
    expect(percentiles([7]).p99).toBe(7);
  });
});

describe('repetitions', () => {
  it('median and range; flagged when the extremes are more than 2× apart', () => {
    expect(repetitions([100, 120, 90])).toEqual({
      spread: { median: 100, min: 90, max: 120, n: 3 },
      apart: 1.33,
      unsteady: false,
    });
    expect(repetitions([183, 234, 461])).toMatchObject({ apart: 2.52, unsteady: true });
  });
  it('a zero beside a non-zero is as far apart as it gets; one repetition is never unsteady', () => {
    expect(repetitions([0, 5])).toMatchObject({ apart: Infinity, unsteady: true });
    expect(repetitions([0, 0]).unsteady).toBe(false);
    expect(repetitions([7]).unsteady).toBe(false);
  });
});

describe('tally', () => {
  it('counts each value and formats the most frequent first', () => {
    const t = tally(['DEADLINE_EXCEEDED', 'RETRIES_EXHAUSTED:reserveStock', 'DEADLINE_EXCEEDED']);
    expect(t).toEqual({ DEADLINE_EXCEEDED: 2, 'RETRIES_EXHAUSTED:reserveStock': 1 });
    expect(formatTally({ b: 1, a: 3 })).toBe('a ×3, b ×1');
    expect(formatTally(tally([]))).toBe('');
  });
});
