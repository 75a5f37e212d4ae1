import { setTimeout as sleep } from 'node:timers/promises';
import { repetitions, round, spread, type Spread } from '../stats.ts';
import { openLoopStep } from './driver.ts';
import { interleave } from './modes.ts';
import { idle, placeHappy, withCoordinator, type SuiteContext } from './suites.ts';
import { pssMiBOf, startMeter } from './usage.ts';

export interface CapacityOptions {
  /** Seconds of load per probe. */
  seconds: number;
  /** Searches per mode, interleaved across modes (repetition 1 of every mode, then 2, …). */
  repeats: number;
  /** First rate probed. */
  start: number;
  /** Highest rate probed. */
  max: number;
  /** A rate is sustained while p99 ≤ this, no errors, every order terminal and ≥ 95 % of it completed per second. */
  p99LimitMs: number;
}

export interface CapacityProbe {
  rate: number;
  sagas: number;
  p50: number;
  p99: number;
  throughput: number;
  errors: number;
  sustained: boolean;
  /** CPU ms per second of the probe's window (load and drain), per part. */
  cpuMsPerSecond: Record<string, number>;
  /** The same per saga (idle and fixed costs included). */
  cpuMsPerSaga: Record<string, number>;
  /** Proportional set size at the end of the load, per part (shared pages split among their users). */
  pssMiB: Record<string, number>;
}

export interface CapacityRun {
  repetition: number;
  /** Highest rate sustained (0: not even the first). */
  capacity: number;
  probes: CapacityProbe[];
  /** CPU per additional saga: the least-squares slope of CPU per second over the sustained probes (`marginal`). */
  marginalMsPerSaga: Record<string, number> | null;
}

export interface CapacityResult {
  mode: string;
  runs: CapacityRun[];
  capacity: Spread;
  marginalTotal: Spread | null;
  marginal: Record<string, Spread>;
  /** PSS at the highest sustained rate, median over the runs. */
  pssMiB: Record<string, number>;
  /** Sagas the capacity figure rests on: those of the highest sustained probes. */
  sagas: number;
  /** The repetitions differ by more than 2× (highest ÷ lowest capacity). */
  noisy: boolean;
}

export const sumParts = (parts: Record<string, number>) => round(Object.values(parts).reduce((a, b) => a + b, 0));

/**
 * CPU per additional saga, per part: the least-squares slope of CPU ms per second against the
 * rate over every sustained probe (ms per saga; fixed and idle costs are the intercept and drop
 * out). Two points 10/s apart make a noisy slope; every sustained rate of the search counts.
 * Null with fewer than two distinct rates.
 */
export const marginal = (
  probes: Pick<CapacityProbe, 'rate' | 'cpuMsPerSecond' | 'sustained'>[],
): Record<string, number> | null => {
  const ok = probes.filter((p) => p.sustained);
  if (new Set(ok.map((p) => p.rate)).size < 2) return null;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const mx = mean(ok.map((p) => p.rate));
  const sxx = ok.reduce((a, p) => a + (p.rate - mx) ** 2, 0);
  const parts = [...new Set(ok.flatMap((p) => Object.keys(p.cpuMsPerSecond)))];
  return Object.fromEntries(
    parts.map((k) => {
      const my = mean(ok.map((p) => p.cpuMsPerSecond[k] ?? 0));
      return [k, round(ok.reduce((a, p) => a + (p.rate - mx) * ((p.cpuMsPerSecond[k] ?? 0) - my), 0) / sxx)];
    }),
  );
};

/**
 * The next rate to probe, or undefined when the search is done: double while sustained; after the
 * first failure, bisect between the highest sustained and the lowest failed rate until they are
 * within 10 % (or 1/s) of each other.
 */
export const nextRate = (
  probes: Pick<CapacityProbe, 'rate' | 'sustained'>[],
  o: Pick<CapacityOptions, 'start' | 'max'>,
): number | undefined => {
  if (probes.length === 0) return o.start;
  const ok = probes.filter((p) => p.sustained).map((p) => p.rate);
  const bad = probes.filter((p) => !p.sustained).map((p) => p.rate);
  const lo = ok.length ? Math.max(...ok) : 0;
  const hi = bad.length ? Math.min(...bad) : Infinity;
  if (hi === Infinity) return lo * 2 <= o.max ? lo * 2 : lo < o.max ? o.max : undefined;
  if (hi - lo <= Math.max(1, lo * 0.1)) return undefined;
  const next = Math.round((lo + hi) / 2);
  return next > lo && next < hi && !probes.some((p) => p.rate === next) ? next : undefined;
};

/**
 * Capacity by search, per mode: open-loop probes of happy orders, each `seconds` long, the rate
 * doubled while sustained and then bisected; CPU of every part metered per probe; repeated
 * `repeats` times, interleaved across modes, and reported as median and min–max.
 */
export const capacitySuite = async (ctx: SuiteContext, o: CapacityOptions): Promise<CapacityResult[]> => {
  const runs = new Map<string, CapacityRun[]>(ctx.modes.map((m) => [m.name, []]));
  for (const { rep: repetition, mode } of interleave(ctx.modes, o.repeats, ctx.seed + 101)) {
    const label = `capacity ${mode.name} (${repetition}/${o.repeats})`;
    const run = await withCoordinator(ctx, mode, async () => {
      const probes: CapacityProbe[] = [];
      for (let rate = nextRate(probes, o); rate !== undefined; rate = nextRate(probes, o)) {
        // The load generator and observer (this process) share the cores: metered too, as `harness`.
        const groups = () => ({ ...ctx.wb.processGroups(), harness: [process.pid] });
        const meter = startMeter(groups);
        const t0 = performance.now();
        let pssMiB: Record<string, number> = {};
        const step = await openLoopStep({
          rate,
          count: Math.max(1, Math.round(rate * o.seconds)),
          send: (i) => placeHappy(ctx, i),
          terminalAt: (id) => ctx.wb.terminalAt.get(id),
          drainMs: 15_000,
          progress: (l) => {
            ctx.progress(`${label} @ ${rate}/s: ${l}`);
            // Once, near the end of the load: PSS reads every process's smaps.
            if (!Object.keys(pssMiB).length && performance.now() - t0 > o.seconds * 900) pssMiB = pssMiBOf(groups());
          },
        });
        await idle(ctx.wb, 30_000, (l) => ctx.progress(`${label}: ${l}`));
        const usage = meter.stop();
        const window = (performance.now() - t0) / 1000;
        const ok =
          step.p99 <= o.p99LimitMs && step.errors === 0 && step.notTerminal === 0 && step.throughput >= 0.95 * rate;
        const parts = Object.keys(usage);
        probes.push({
          rate,
          sagas: step.count,
          p50: step.p50,
          p99: step.p99,
          throughput: step.throughput,
          errors: step.errors + step.notTerminal,
          sustained: ok,
          cpuMsPerSecond: Object.fromEntries(parts.map((k) => [k, round((usage[k]!.cpuSeconds * 1000) / window)])),
          cpuMsPerSaga: Object.fromEntries(
            parts.map((k) => [k, round((usage[k]!.cpuSeconds * 1000) / Math.max(1, step.count))]),
          ),
          pssMiB,
        });
        ctx.progress(`${label} @ ${rate}/s: p99 ${step.p99} ms, ${step.throughput}/s${ok ? '' : ' — not sustained'}`);
        await sleep(1_000);
      }
      return probes;
    });
    const result = capacityRun(repetition, run);
    runs.get(mode.name)!.push(result);
    ctx.say(
      `capacity ${mode.name.padEnd(22)} run ${repetition}/${o.repeats}: ${result.capacity}/s (probes ${run.map((p) => `${p.rate}${p.sustained ? '✓' : '✗'}`).join(' ')})` +
        (result.marginalMsPerSaga ? `; marginal CPU ${sumParts(result.marginalMsPerSaga)} ms per saga` : ''),
    );
  }
  return ctx.modes.map((m) => summariseCapacity(m.name, runs.get(m.name)!));
};

/** One search's result from its probes. */
export const capacityRun = (repetition: number, probes: CapacityProbe[]): CapacityRun => {
  const ok = probes.filter((p) => p.sustained);
  return {
    repetition,
    capacity: ok.length ? Math.max(...ok.map((p) => p.rate)) : 0,
    probes,
    marginalMsPerSaga: marginal(probes),
  };
};

/** A mode's figures over its repetitions (re-derivable from the stored probes). */
export const summariseCapacity = (mode: string, rs: CapacityRun[]): CapacityResult => {
  const withSlope = rs.flatMap((r) => (r.marginalMsPerSaga ? [r.marginalMsPerSaga] : []));
  const parts = [...new Set(withSlope.flatMap((x) => Object.keys(x)))];
  const bests = rs.flatMap((r) => r.probes.filter((p) => p.sustained && p.rate === r.capacity));
  const pssParts = [...new Set(bests.flatMap((p) => Object.keys(p.pssMiB)))];
  const caps = rs.map((r) => r.capacity);
  return {
    mode,
    runs: rs,
    capacity: spread(caps),
    marginalTotal: withSlope.length ? spread(withSlope.map(sumParts)) : null,
    marginal: Object.fromEntries(parts.map((k) => [k, spread(withSlope.map((x) => x[k] ?? 0))])),
    pssMiB: Object.fromEntries(pssParts.map((k) => [k, spread(bests.map((p) => p.pssMiB[k] ?? 0)).median])),
    sagas: bests.reduce((a, p) => a + p.sagas, 0),
    noisy: repetitions(caps).unsteady,
  };
};
