import { describe, expect, it } from 'vitest';
import { spread } from '../stats.ts';
import { sections, type Results } from './report.ts';
import {
  boundaryOf,
  capacityCi,
  capacityRun,
  summariseCapacity,
  disagreeing,
  marginal,
  nextRate,
  nonMonotonic,
  slopeRates,
  slopes,
} from './capacity.ts';

const o = { start: 10, max: 640 };
/** Runs the search against a system that sustains up to `limit`/s: the rates it probes. */
const search = (limit: number) => {
  const probes: { rate: number; sustained: boolean }[] = [];
  for (let r = nextRate(probes, o); r !== undefined; r = nextRate(probes, o))
    probes.push({ rate: r, sustained: r <= limit });
  return probes;
};
const best = (probes: { rate: number; sustained: boolean }[]) =>
  Math.max(0, ...probes.filter((p) => p.sustained).map((p) => p.rate));

describe('capacity search', () => {
  it('doubles while sustained, then bisects to within 10 % of the true limit', () => {
    const probes = search(137);
    expect(probes.slice(0, 6).map((p) => p.rate)).toEqual([10, 20, 40, 80, 160, 120]);
    expect(best(probes)).toBeLessThanOrEqual(137);
    expect(best(probes)).toBeGreaterThanOrEqual(137 * 0.9);
    expect(probes.length).toBeLessThanOrEqual(10);
  });

  it('finds a limit below the first rate, and stops at the highest rate it may probe', () => {
    expect(best(search(6))).toBeGreaterThanOrEqual(5);
    expect(best(search(6))).toBeLessThanOrEqual(6);
    const all = search(10_000);
    expect(all.map((p) => p.rate)).toEqual([10, 20, 40, 80, 160, 320, 640]);
  });

  it('says 0 when not even 1/s is sustained', () => {
    expect(best(search(0))).toBe(0);
  });
});

describe('marginal CPU', () => {
  const probe = (rate: number, cpu: Record<string, number>, sustained = true) => ({
    rate,
    cpuMsPerSecond: cpu,
    sustained,
  });
  it('is the least-squares slope of CPU per second against the rate, per part: fixed (idle) costs drop out', () => {
    // 50 ms/s idle + 8 ms per saga in services; 20 ms/s + 2 ms per saga in the coordinator; ±5 ms/s noise.
    const probes = [10, 20, 40, 80].map((r, i) =>
      probe(r, { services: 50 + 8 * r + (i % 2 ? 5 : -5), coordinator: 20 + 2 * r }),
    );
    const m = marginal([...probes, probe(160, { services: 5_000, coordinator: 5_000 }, false)])!; // the failed probe does not count
    expect(m.services).toBeCloseTo(8, 0);
    expect(m.coordinator).toBeCloseTo(2, 5);
    expect(marginal([probe(10, { services: 1 })])).toBeNull();
  });

  it('spread: median and min–max', () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, n: 3 });
    expect(spread([4, 1])).toEqual({ median: 2.5, min: 1, max: 4, n: 2 });
  });
});

describe('capacity that survives noise', () => {
  const p = (rate: number, sustained: boolean, confirm = false) => ({
    rate,
    sustained,
    ...(confirm ? { confirm } : {}),
    sagas: 1,
    p50: 1,
    p99: 1,
    throughput: rate,
    errors: 0,
    cpuMsPerSecond: {},
    cpuMsPerSaga: {},
    pssMiB: {},
  });

  it('a boundary holds when most of its confirmation probes pass; a failed confirmation hands it to the next rate below', () => {
    expect(boundaryOf([p(10, true), p(20, true), p(40, false), p(30, true)])).toBe(30);
    expect(
      boundaryOf([p(10, true), p(20, true), p(30, true), p(30, true, true), p(30, false, true), p(30, true, true)]),
    ).toBe(30);
    expect(
      boundaryOf([p(10, true), p(20, true), p(30, true), p(30, false, true), p(30, false, true), p(30, true, true)]),
    ).toBe(20);
    const run = capacityRun(1, [
      p(10, true),
      p(20, true),
      p(30, true),
      ...[true, true, false].map((ok) => p(30, ok, true)),
    ]);
    expect(run).toMatchObject({ capacity: 30, boundary: { rate: 30, passed: 2, of: 3 }, nonMonotonic: false });
  });

  it('flags a search that failed a rate below one it sustained, and rates two searches disagree on', () => {
    expect(nonMonotonic([p(10, true), p(20, false), p(40, true)])).toBe(true);
    expect(nonMonotonic([p(10, true), p(20, true), p(40, false)])).toBe(false);
    expect(
      disagreeing([{ probes: [p(60, true)] }, { probes: [p(60, false)] }, { probes: [p(60, true), p(75, true)] }]),
    ).toEqual([60]);
  });

  it('adds rates below the boundary until the slope can rest on four rates spanning 3×', () => {
    expect(slopeRates([p(10, true), p(20, false), p(15, true), p(12, true)])).toEqual([4, 8, 11]);
    expect(slopeRates([p(10, true), p(20, true), p(40, true), p(80, false), p(60, true)])).toEqual([15, 30, 45]);
  });

  it('the CPU slope leaves the harness out of the system total and prints none from two rates', () => {
    const probe = (rate: number) => ({
      rate,
      sustained: true,
      cpuMsPerSecond: { coordinator: 10 + 2 * rate, services: 20 + 5 * rate, harness: 100 * rate },
    });
    const fit = slopes([5, 10, 20, 40].map(probe));
    expect(fit.system.ok && fit.system.slope).toBeCloseTo(7, 5);
    expect(fit.parts.harness!.ok && fit.parts.harness!.slope).toBeCloseTo(100, 5);
    expect(slopes([5, 10].map(probe)).system).toEqual({ ok: false, why: '2 rate(s), 4 needed' });
  });

  it('gives a capacity a bootstrap CI over three or more searches, none over fewer, and prints it beside the calibrated ratios', () => {
    expect(capacityCi([38])).toBeNull();
    expect(capacityCi([38, 40])).toBeNull();
    const ci = capacityCi([35, 38, 40])!;
    expect(ci[0]).toBeGreaterThanOrEqual(35);
    expect(ci[1]).toBeLessThanOrEqual(40);
    expect(ci[0]).toBeLessThan(ci[1]);
    expect(capacityCi([35, 38, 40])).toEqual(ci); // seeded: the same searches, the same interval

    const cpu = (rate: number) => ({ coordinator: 5 * rate, services: 10 * rate, harness: rate });
    const probeOf = (rate: number, sustained: boolean) => ({
      rate,
      sagas: rate * 10,
      p50: 20,
      p99: sustained ? 50 : 900,
      throughput: rate,
      errors: 0,
      sustained,
      cpuMsPerSecond: cpu(rate),
      cpuMsPerSaga: {},
      pssMiB: {},
    });
    const searchOf = (rep: number, cap: number) =>
      capacityRun(rep, [10, 20, 30, cap].map((r) => probeOf(r, true)).concat([probeOf(cap + 5, false)]));
    const report = (capacity: Results['capacity'], machine: Results['machine']) =>
      sections({ runId: 't', at: '', modes: [], settings: {}, machine, checks: [], capacity }).find(
        (x) => x.name === 'capacity',
      )!.body;
    const three = report([summariseCapacity('custom-http', [searchOf(1, 35), searchOf(2, 40), searchOf(3, 38)])], {
      calibration: { cpuLoopMs: 250, fdatasyncPerSecond: 10000, pgbenchTps: 4000, notes: [] },
    });
    // Median 38 (35–40); per 1,000 pgbench tps 38 / 4 = 9.5; × 0.25 s of CPU loop = 9.5.
    expect(three).toContain(`| custom-http | 3 | 38 (35–40) | [${ci[0]}–${ci[1]}] | 9.5 / 9.5 |`);
    expect(three).toContain('CPU loop 250 ms, fdatasync 10000/s, pgbench 4000 tps');
    const one = report([summariseCapacity('custom-http', [searchOf(1, 38)])], {});
    expect(one).toContain('| custom-http | 1 | 38 | — (1 search; needs 3) | — (no calibration in this run) |');
  });
});
