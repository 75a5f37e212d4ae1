import { describe, expect, it } from 'vitest';
import { latencyByRate } from './charts.ts';
import { sections, type Results } from './report.ts';
import type { RecoveryResult } from './recovery.ts';
import { repetitions, spread } from '../stats.ts';

const step = (rate: number, p50: number, p99: number, repetition?: number, cpuSeconds?: number) => ({
  rate,
  count: rate * 10,
  errors: 0,
  notTerminal: 0,
  p50,
  p90: p99,
  p99,
  max: p99,
  throughput: rate,
  samples: [],
  ...(repetition ? { repetition } : {}),
  ...(cpuSeconds ? { usage: { coordinator: { cpuSeconds, peakRssMiB: 100 + cpuSeconds, processes: 1 } } } : {}),
});
const base = (over: Partial<Results>): Results => ({
  runId: 't',
  at: '',
  modes: [],
  settings: { stepSeconds: 10 },
  machine: {},
  checks: [],
  ...over,
});
const body = (r: Results, name: string) => sections(r).find((s) => s.name === name);

const recovery = (
  fault: string,
  mode: string,
  repetition: number,
  over: Partial<RecoveryResult> = {},
): RecoveryResult => ({
  fault,
  mode,
  repetition,
  target: 'coordinator',
  pid: 1,
  rate: 5,
  accepted: 50,
  refused: 0,
  lost: 0,
  wrongEffects: 0,
  wrongEffectKinds: [],
  rejectedInsteadOfApproved: 0,
  operatorRetries: 0,
  downSeconds: 5,
  recoverySeconds: 2,
  normalAfterSeconds: 6,
  p99BeforeMs: 80,
  p99AfterMs: 900,
  maxAfterMs: 1000,
  crashed: [],
  timeline: [],
  faultSecond: 5,
  backSecond: 10,
  ...over,
});

describe('report: repetitions', () => {
  it('groups latency steps by rate, the repetitions of each rate together', () => {
    const by = latencyByRate([
      step(5, 40, 90, 1),
      step(10, 50, 100, 1),
      step(5, 44, 95, 2),
      step(10, 200, 400, 2),
      step(5, 42, 92, 3),
      step(10, 52, 110, 3),
    ]);
    expect(by.map((x) => [x.rate, x.n, x.sagas])).toEqual([
      [5, 3, 150],
      [10, 3, 300],
    ]);
    expect(by[0]!.p50s).toEqual([40, 44, 42]);
    expect(by[0]!.unsteady).toBe(false);
    expect(by[1]).toMatchObject({ unsteady: true, apart: 4 });
  });

  it('prints each rate as median (min–max) of its repetitions and flags a rate whose repetitions are more than 2× apart', () => {
    const r = base({
      latency: [
        {
          mode: 'custom-http',
          repeats: 3,
          highestSustainedRate: 10,
          steps: [
            step(5, 40, 90, 1, 1),
            step(5, 44, 95, 2, 2),
            step(5, 42, 92, 3, 4),
            step(10, 50, 100, 1),
            step(10, 200, 400, 2),
            step(10, 52, 110, 3),
          ],
        },
      ],
    });
    const latency = body(r, 'latency')!;
    expect(latency.title).toContain('3 repetitions of 10 s per rate, interleaved across modes: median (min–max)');
    expect(latency.body).toContain(
      '| custom-http | 42 (40–44) / max 92 (90–95) of 50 each | 52 (50–200) / max 110 (100–400) of 100 each **4× apart** | 10/s |',
    );
    expect(latency.body).toContain('**Unsteady:** custom-http at 10/s (p50 4× apart)');
    // CPU per 1,000 sagas at 5/s: 1, 2 and 4 s over 50 sagas each → 20, 40, 80; the highest RSS of the three.
    const resources = body(r, 'resources')!;
    expect(resources.body).toContain(
      '| custom-http | 5/s | 150 | 40.0 (20.0–80.0) | — | — | — | — | 40.0 (20.0–80.0) | 104 / — / — / — / — | 1 |',
    );
  });

  it('prints a p99 only from 1,000 sagas or more, else the maximum with its n — in latency, compensation, recovery and chaos', () => {
    const big = { ...step(200, 40, 90), count: 2000, max: 300 };
    const small = { ...step(5, 40, 90), count: 50, max: 120 };
    const r = base({
      latency: [{ mode: 'custom-http', highestSustainedRate: 200, steps: [small, big] }],
      compensation: [
        {
          mode: 'custom-http',
          step: small,
          byKind: [
            { kind: 'happy', count: 105, p50: 28.8, p99: 52.6, max: 61 },
            { kind: 'declined', count: 30, p50: 32.2, p99: 53.1 },
          ],
          expectedCompensations: 30,
          compensations: 30,
          wrongOutcome: 0,
          ok: true,
        },
      ],
      recovery: [
        recovery('coordinator-kill', 'custom-http', 1, { nBefore: 50, maxBeforeMs: 95, nAfter: 1200, p99AfterMs: 900 }),
        recovery('payment-kill', 'custom-http', 1),
      ],
    });
    expect(body(r, 'latency')!.body).toContain('| custom-http | 40 / max 120 of 50 | 40 / p99 90 |');
    // A kind whose run stored no maximum (before issue 42) prints no tail at all.
    const comp = body(r, 'compensation')!.body;
    expect(comp).toContain('29 / max 61 of 105 (n=105)');
    expect(comp).toContain('| 32 / — (n=30) |');
    const rec = body(r, 'recovery')!.body;
    expect(rec).toContain('| max 95 of 50 → 900 |');
    // A slice from before issue 42 (no n): 50 accepted, so n < 1,000 — its stored max after, no p99.
    expect(rec).toContain('| — (under 1,000 sagas) → max 1000 of ≤ 50 |');
    expect(rec).not.toContain('| 80 ');
  });

  it('prints a run without repetitions as it always did: one value per cell, no spread, no flag', () => {
    const r = base({
      latency: [
        {
          mode: 'custom-http',
          highestSustainedRate: 10,
          steps: [step(5, 40.4, 90.6, undefined, 1), step(10, 50, 100)],
        },
      ],
    });
    const latency = body(r, 'latency')!;
    expect(latency.title).not.toContain('repetitions');
    expect(latency.body).toContain('| custom-http | 40 / max 91 of 50 | 50 / max 100 of 100 | 10/s |');
    expect(body(r, 'resources')!.body).toContain(
      '| custom-http | 5/s | 50 | 20.0 | — | — | — | — | 20.0 | 101 / — / — / — / — | 1 |',
    );
  });

  it("sums a fault's counts over its repetitions and gives its times as median (min–max), saying how many never got back to normal", () => {
    const rec = [
      recovery('coordinator-kill', 'custom-http', 1, { normalAfterSeconds: 4 }),
      recovery('coordinator-kill', 'custom-http', 2, { normalAfterSeconds: null, rejectedInsteadOfApproved: 2 }),
      recovery('coordinator-kill', 'custom-http', 3, { normalAfterSeconds: 8, lost: 1 }),
    ];
    const out = body(base({ recovery: rec }), 'recovery')!;
    expect(out.title).toContain('counts summed, times as median (min–max)');
    expect(out.body).toContain(
      '| coordinator-kill | custom-http | 3 | 150 / 0 | 1 | 0 | 2 | 0 | 5 | 2 | 6 (4–8); 1 of 3: not in the load window | 1000 | — |',
    );
    // Down times that agree to the tenth shown print once, not as "5.9 (5.9–5.9)".
    const close = body(
      base({
        recovery: [
          recovery('payment-kill', 'custom-http', 1, { downSeconds: 5.94 }),
          recovery('payment-kill', 'custom-http', 2, { downSeconds: 5.86 }),
        ],
      }),
      'recovery',
    )!;
    expect(close.body).toContain('| payment-kill | custom-http | 2 | 100 / 0 | 0 | 0 | 0 | 0 | 5.9 | 2 |');
    // Each slice stays listed, with its repetition.
    expect(out.body).toContain('| 2 | coordinator-kill | custom-http | coordinator (1) |');
    const single = body(base({ recovery: [recovery('coordinator-kill', 'custom-http', 1)] }), 'recovery')!;
    expect(single.body).not.toContain('| rep |');
    expect(single.body.split('\n')).toHaveLength(3);
  });

  it('gives repeated floors as median (min–max) and flags one more than 2× apart', () => {
    const f = (p50s: number[]) => {
      const r = repetitions(p50s);
      return {
        p50: r.spread.median,
        p99: 100,
        repetitions: { p50: r.spread, p99: spread([100, 100, 100]), apart: r.apart, unsteady: r.unsteady },
      };
    };
    const floors = {
      repeats: 3,
      kafkaChain: { stages: 'kafka', runs: 100, ...f([20, 22, 21]) },
      httpChain: { stages: 'http', runs: 100, ...f([10, 30, 11]) },
      temporal: [],
    };
    const out = body(base({ floors }), 'floors')!;
    expect(out.title).toContain('3 repetitions of 100 each, interleaved: median (min–max)');
    // 100 runs per repetition: no p99 (issue 42's rule), the p50 alone.
    expect(out.title).toContain('p50 only — 100 runs per repetition are too few for a p99');
    expect(out.body).toMatch(/\| 21 \(20–22\) \|$/m);
    expect(out.body).toMatch(/\| 11 \(10–30\) \*\*3× apart\*\* \|$/m);
    const big = body(
      base({
        floors: {
          ...floors,
          kafkaChain: { ...floors.kafkaChain, runs: 1000 },
          httpChain: { ...floors.httpChain, runs: 1000 },
        },
      }),
      'floors',
    )!;
    expect(big.body).toContain('| 21 (20–22) | 100 |');
  });
});
