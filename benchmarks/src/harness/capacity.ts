import { setTimeout as sleep } from 'node:timers/promises';
import { repetitions, round, spread, type Spread } from '../stats.ts';
import { bootstrapCi, slopeCell, slopeOf, type Slope } from '../evidence.ts';
import { openLoopStep } from './driver.ts';
import { interleave } from './modes.ts';
import { checkHappy } from './pooled.ts';
import { idle, placeHappy, untilNotified, withCoordinator, type SuiteContext } from './suites.ts';
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
  /** Probes at the boundary found (each ≥ CONFIRM_SECONDS): the rate holds when at least 2 of 3 pass (0: no confirmation). */
  confirmations?: number;
}

/** A confirmation probe lasts at least this long. */
export const CONFIRM_SECONDS = 30;
/** The part of the metered processes that is the harness, not the system under test. */
export const HARNESS_PART = 'harness';

export interface CapacityProbe {
  rate: number;
  sagas: number;
  p50: number;
  p99: number;
  throughput: number;
  errors: number;
  sustained: boolean;
  /** A probe of the boundary's confirmation (not one of the search's). */
  confirm?: boolean;
  /** Happy orders that ended rejected (an error: the probe is not sustained). */
  wrongOutcome?: number;
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
  /** The boundary's confirmation: its rate and how many of its probes passed (absent: not confirmed). */
  boundary?: { rate: number; passed: number; of: number };
  /** A rate failed below one that was sustained in this search. */
  nonMonotonic?: boolean;
  /** The slope of the system's CPU (every part but the harness) and of each part, with CI and R², or why not (`slopeOf`). */
  slopes?: { system: Slope; parts: Record<string, Slope> };
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
  /** Searches whose results were not monotonic (a rate failed below a sustained one). */
  nonMonotonic?: number;
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

/** One open-loop probe of happy orders at `rate` for `seconds`, every part's CPU metered, each order's outcome checked. */
const probeAt = async (
  ctx: SuiteContext,
  o: CapacityOptions,
  label: string,
  rate: number,
  seconds: number,
): Promise<CapacityProbe> => {
  // The load generator and observer (this process) share the cores: metered too, as `harness`, outside the system's total.
  const groups = () => ({ ...ctx.wb.processGroups(), [HARNESS_PART]: [process.pid] });
  const meter = startMeter(groups);
  const t0 = performance.now();
  let pssMiB: Record<string, number> = {};
  const step = await openLoopStep({
    rate,
    count: Math.max(1, Math.round(rate * seconds)),
    send: (i) => placeHappy(ctx, i),
    terminalAt: (id) => ctx.wb.terminalAt.get(id),
    drainMs: 15_000,
    progress: (l) => {
      ctx.progress(`${label} @ ${rate}/s: ${l}`);
      // Once, near the end of the load: PSS reads every process's smaps.
      if (!Object.keys(pssMiB).length && performance.now() - t0 > seconds * 900) pssMiB = pssMiBOf(groups());
    },
  });
  // Metered until every saga's last step is recorded (the notification database), not by polling the coordinator.
  await untilNotified(ctx.wb, step.ids ?? [], (l) => ctx.progress(`${label}: ${l}`));
  const usage = meter.stop();
  const window = (performance.now() - t0) / 1000;
  await idle(ctx.wb, 30_000, (l) => ctx.progress(`${label}: ${l}`));
  const checked = checkHappy(step, await ctx.wb.commitTimes(step.ids ?? []));
  const ok =
    step.p99 <= o.p99LimitMs &&
    step.errors === 0 &&
    step.notTerminal === 0 &&
    checked.wrongOutcome === 0 &&
    step.throughput >= 0.95 * rate;
  const parts = Object.keys(usage);
  ctx.progress(`${label} @ ${rate}/s: p99 ${step.p99} ms, ${step.throughput}/s${ok ? '' : ' — not sustained'}`);
  return {
    rate,
    sagas: step.count,
    p50: step.p50,
    p99: step.p99,
    throughput: step.throughput,
    errors: step.errors + step.notTerminal + checked.wrongOutcome,
    sustained: ok,
    ...(checked.wrongOutcome ? { wrongOutcome: checked.wrongOutcome } : {}),
    cpuMsPerSecond: Object.fromEntries(parts.map((k) => [k, round((usage[k]!.cpuSeconds * 1000) / window)])),
    cpuMsPerSaga: Object.fromEntries(
      parts.map((k) => [k, round((usage[k]!.cpuSeconds * 1000) / Math.max(1, step.count))]),
    ),
    pssMiB,
  };
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
      const probe = async (rate: number, seconds: number, confirm: boolean) => {
        const p = await probeAt(ctx, o, label, rate, seconds);
        probes.push(confirm ? { ...p, confirm } : p);
        await sleep(1_000);
        return p.sustained;
      };
      for (let rate = nextRate(probes, o); rate !== undefined; rate = nextRate(probes, o))
        await probe(rate, o.seconds, false);
      // Rates below the boundary for the CPU slope: it needs ≥ 4 sustained rates spanning ≥ 3×.
      for (const rate of slopeRates(probes)) await probe(rate, o.seconds, false);
      // The boundary confirmed: the highest sustained rate holds when ≥ 2 of 3 longer probes pass;
      // else the next sustained rate below it is tried.
      const n = o.confirmations ?? 0;
      const tried = new Set<number>();
      for (let b = boundaryOf(probes); n > 0 && b > 0 && !tried.has(b); b = boundaryOf(probes)) {
        tried.add(b);
        let passed = 0;
        for (let i = 0; i < n; i++) if (await probe(b, Math.max(o.seconds, CONFIRM_SECONDS), true)) passed++;
        if (passed * 2 > n) break;
      }
      return probes;
    });
    const result = capacityRun(repetition, run);
    runs.get(mode.name)!.push(result);
    ctx.say(
      `capacity ${mode.name.padEnd(22)} run ${repetition}/${o.repeats}: ${result.capacity}/s (probes ${run.map((p) => `${p.rate}${p.sustained ? '✓' : '✗'}`).join(' ')})` +
        `; the system's CPU per additional saga ${result.slopes ? slopeCell(result.slopes.system) : '—'} ms`,
    );
  }
  return ctx.modes.map((m) => summariseCapacity(m.name, runs.get(m.name)!));
};

/** Whether a rate holds: its confirmation probes, when it had some (a majority passed), else its search probe. */
const holds = (probes: CapacityProbe[], rate: number) => {
  const confirms = probes.filter((p) => p.rate === rate && p.confirm);
  if (confirms.length) return confirms.filter((p) => p.sustained).length * 2 > confirms.length;
  return probes.some((p) => p.rate === rate && p.sustained);
};
/** The highest rate that holds so far (0: none). */
export const boundaryOf = (probes: CapacityProbe[]) =>
  Math.max(0, ...[...new Set(probes.map((p) => p.rate))].filter((r) => holds(probes, r)));

/** Slopes of CPU ms per second against the rate over the sustained probes: the system's (all but the harness) and each part's. */
export const slopes = (probes: Pick<CapacityProbe, 'rate' | 'cpuMsPerSecond' | 'sustained'>[]) => {
  const ok = probes.filter((p) => p.sustained);
  const parts = [...new Set(ok.flatMap((p) => Object.keys(p.cpuMsPerSecond)))];
  const system = (p: (typeof ok)[number]) =>
    Object.entries(p.cpuMsPerSecond).reduce((a, [k, v]) => (k === HARNESS_PART ? a : a + v), 0);
  return {
    system: slopeOf(ok.map((p) => [p.rate, system(p)])),
    parts: Object.fromEntries(parts.map((k) => [k, slopeOf(ok.map((p) => [p.rate, p.cpuMsPerSecond[k] ?? 0]))])),
  };
};

/** The slopes over the sustained probes of every search together (more rates, a tighter CI than one search's). */
export const pooledSlopes = (runs: Pick<CapacityRun, 'probes'>[]) => slopes(runs.flatMap((run) => run.probes));

/** Rates to probe below the boundary so that the CPU slope can rest on ≥ 4 rates spanning ≥ 3×: a quarter, a half and three quarters of it. */
export const slopeRates = (probes: Pick<CapacityProbe, 'rate' | 'sustained'>[]) => {
  const b = Math.max(0, ...probes.filter((p) => p.sustained).map((p) => p.rate));
  const have = new Set(probes.map((p) => p.rate));
  return [...new Set([0.25, 0.5, 0.75].map((f) => Math.max(1, Math.round(b * f))))].filter(
    (r) => r < b && !have.has(r),
  );
};

/** Rates one search sustained and another did not (their results disagree: one probe per rate is not enough). */
export const disagreeing = (runs: Pick<CapacityRun, 'probes'>[]) => {
  const passed = new Set(runs.flatMap((r) => r.probes.filter((p) => p.sustained).map((p) => p.rate)));
  const failed = new Set(runs.flatMap((r) => r.probes.filter((p) => !p.sustained).map((p) => p.rate)));
  return [...passed].filter((r) => failed.has(r)).sort((a, b) => a - b);
};

/** Searches a capacity CI needs: with fewer, a bootstrap over them is only their range. */
export const CAPACITY_CI_MIN_SEARCHES = 3;
/**
 * The 95 % bootstrap CI of the median capacity over a mode's searches (seeded, so re-derivable
 * from the stored probes), or null with fewer than `CAPACITY_CI_MIN_SEARCHES` searches.
 */
export const capacityCi = (caps: number[]): [number, number] | null =>
  caps.length < CAPACITY_CI_MIN_SEARCHES ? null : bootstrapCi(caps, (xs) => spread(xs).median, 4242);
/** `capacityCi` as a table cell or figure: `[lo–hi]`, or why there is none. */
export const capacityCiCell = (caps: number[]) => {
  const ci = capacityCi(caps);
  return ci
    ? `[${ci[0]}–${ci[1]}]`
    : `— (${caps.length} search${caps.length === 1 ? '' : 'es'}; needs ${CAPACITY_CI_MIN_SEARCHES})`;
};

/** A search whose results contradict each other: a rate failed below one that was sustained. */
export const nonMonotonic = (probes: Pick<CapacityProbe, 'rate' | 'sustained'>[]) =>
  probes.some((p) => !p.sustained && probes.some((q) => q.sustained && q.rate > p.rate));

/** One search's result from its probes: the boundary (confirmed where it was), monotonic or not, the slopes. */
export const capacityRun = (repetition: number, probes: CapacityProbe[]): CapacityRun => {
  const capacity = boundaryOf(probes);
  const confirms = probes.filter((p) => p.confirm && p.rate === capacity);
  const failedBelow = nonMonotonic(probes);
  return {
    repetition,
    capacity,
    probes,
    marginalMsPerSaga: marginal(probes),
    ...(confirms.length
      ? { boundary: { rate: capacity, passed: confirms.filter((p) => p.sustained).length, of: confirms.length } }
      : {}),
    nonMonotonic: failedBelow,
    slopes: slopes(probes),
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
    nonMonotonic: rs.filter((r) => r.nonMonotonic).length,
  };
};
