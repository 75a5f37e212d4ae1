import { describe, expect, it } from 'vitest';
import { percentiles } from './stats.ts';

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
