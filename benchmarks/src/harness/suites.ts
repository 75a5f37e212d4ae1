import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { check, describeViolations, type Violation } from './checker.ts';
import { openLoopStep, type StepResult } from './driver.ts';
import { checkHappy, poolRate, type Checked } from './pooled.ts';
import { latencyPlan, type Mode } from './modes.ts';
import { withTimeout } from '@saga/stack';
import { startMeter, type Usage } from './usage.ts';
import type { BenchWorkbench } from './workbench.ts';
import { ioPerSaga, ioSample, type IoPerSaga } from './io.ts';
import { servers } from '@saga/testkit';

export interface SuiteContext {
  wb: BenchWorkbench;
  modes: Mode[];
  stepSeconds: number;
  /** Sagas per mode and rate the latency suite pools over its repetitions, at least (`--latency-samples`). */
  latencySamples: number;
  /** The seed of the run's random orders and bootstrap intervals (printed and stored). */
  seed: number;
  /** A rate is sustained while p99 stays at or under this, with no error and every order terminal. */
  p99LimitMs: number;
  warmup: number;
  /** Products and customers the happy orders are spread over (`happyOrder`). */
  spread: number;
  say: (line: string) => void;
  progress: (line: string) => void;
  /** Keeps the running mode's sagas (its operator API's view) before its coordinator stops (`--archive-sagas`). */
  archive?: (mode: Mode, operatorUrl: string) => Promise<void>;
}

export const HAPPY = { customerId: 'bench', lines: [{ sku: 'bench', quantity: 1, unitPriceCents: 100 }] };

/**
 * Happy orders spread over `spread` products and customers, one of each per order in turn. With
 * one product and one customer every reservation, commit and hold of the run locks the same two
 * rows (`FOR UPDATE`, held through each commit's WAL flush), so a rate search measures the queue
 * on those rows, not the saga; real orders are spread over a catalogue and many customers.
 */
export const DEFAULT_SPREAD = 64;
export const happyOrder = (i: number, spread = DEFAULT_SPREAD) => {
  const n = i % spread;
  return { customerId: `bench-${n}`, lines: [{ sku: `bench-${n}`, quantity: 1, unitPriceCents: 100 }] };
};
/** What the run seeds for `happyOrder`: stock for a long run on every product, credit without limit. */
export const happySeed = (spread = DEFAULT_SPREAD) => {
  const orders = Array.from({ length: spread }, (_, n) => happyOrder(n, spread));
  return {
    stock: orders.flatMap((o) => o.lines.map((l) => ({ sku: l.sku, quantity: 10_000_000 }))),
    customers: orders.map((o) => ({ id: o.customerId, creditLimitCents: 1e15 })),
  };
};
/** Places the `i`-th happy order of a load step. */
export const placeHappy = (ctx: Pick<SuiteContext, 'wb' | 'spread'>, i: number) => {
  const o = happyOrder(i, ctx.spread);
  return ctx.wb.placeOrder(o.customerId, o.lines);
};

/**
 * Waits until the coordinator has finished every saga. An overloaded mode may take minutes to
 * drain its backlog: wait as long as the backlog shrinks, give up once it has not for `stallMs`.
 */
export const idle = async (wb: BenchWorkbench, stallMs = 60_000, progress?: (line: string) => void) => {
  let best = Infinity;
  let lastProgress = Date.now();
  for (;;) {
    // A server just restarted may not answer (or not at all, on a dead connection): not progress, nor the end.
    const n = await withTimeout(wb.busy(), 10_000).catch(() => best);
    if (n === 0) return;
    progress?.(`waiting for ${Number.isFinite(n) ? n : 'the'} sagas still running to finish`);
    if (n < best) {
      best = n;
      lastProgress = Date.now();
    } else if (Date.now() - lastProgress > stallMs) return;
    await sleep(200);
  }
};

/** Waits until every one of `ids` has its notification recorded, or none more arrived for `stallMs`. */
export const untilNotified = async (
  wb: BenchWorkbench,
  ids: string[],
  progress?: (line: string) => void,
  stallMs = 30_000,
) => {
  let best = -1;
  let lastProgress = Date.now();
  for (;;) {
    const n = await wb.notified(ids);
    if (n >= ids.length) return;
    progress?.(`waiting for ${ids.length - n} sagas' last step`);
    if (n > best) {
      best = n;
      lastProgress = Date.now();
    } else if (Date.now() - lastProgress > stallMs) return;
    await sleep(100);
  }
};

/** Runs `body` with `mode`'s coordinator up, warmed up; stops it afterwards, every saga finished. */
export const withCoordinator = async <T>(
  ctx: SuiteContext,
  mode: Mode,
  body: () => Promise<T>,
  instances = 1,
): Promise<T> => {
  ctx.progress(`${mode.name}: starting the coordinator${instances > 1 ? ` (${instances} instances)` : ''}`);
  await ctx.wb.startCoordinator(mode, instances);
  try {
    if (ctx.warmup > 0) {
      await openLoopStep({
        rate: 10,
        count: ctx.warmup,
        send: (i) => placeHappy(ctx, i),
        terminalAt: (id) => ctx.wb.terminalAt.get(id),
        progress: (l) => ctx.progress(`${mode.name} warm-up: ${l}`),
      });
      await idle(ctx.wb);
    }
    const result = await body();
    await idle(ctx.wb);
    const url = ctx.wb.operatorUrl();
    if (ctx.archive && url) await ctx.archive(mode, url);
    return result;
  } finally {
    await ctx.wb.stopCoordinator();
  }
};

/**
 * `count` happy-path orders at `rate` through `mode`'s coordinator, with the CPU seconds and peak
 * memory of every process (coordinator, services, servers) from the first order until the last
 * saga finished; then each order's outcome checked and its milestones read from the services.
 */
const happyStep = (ctx: SuiteContext, mode: Mode, rate: number, count: number, label: string) =>
  withCoordinator(ctx, mode, async () => {
    // IO of the servers that store state: PostgreSQL's WAL, and the bytes Kafka and the engine server write.
    const stores = () => {
      const g = ctx.wb.processGroups();
      return { kafka: g.kafka ?? [], 'temporal-server': g['temporal-server'] ?? [] };
    };
    const io0 = await ioSample(servers.POSTGRES_URL, stores());
    const meter = startMeter(ctx.wb.processGroups);
    const step = await openLoopStep({
      rate,
      count,
      send: (i) => placeHappy(ctx, i),
      terminalAt: (id) => ctx.wb.terminalAt.get(id),
      progress: (l) => ctx.progress(`${label}: ${l}`),
    });
    // The meter stops when every saga's last step is recorded — read from the notification database,
    // not by polling the coordinator's operator API (its answers would be metered as the coordinator's work).
    await untilNotified(ctx.wb, step.ids ?? [], (l) => ctx.progress(`${label}: ${l}`));
    const usage = meter.stop();
    const io = ioPerSaga(io0, await ioSample(servers.POSTGRES_URL, stores()), step.count);
    await idle(ctx.wb);
    return { ...checkHappy(step, await ctx.wb.commitTimes(step.ids ?? [])), usage, io };
  });

/** A step is sustained when its p99 kept the limit, no order failed, ended wrong or stayed open, and it kept ≥ 90 % of the rate. */
export const sustained = (
  r: Pick<StepResult, 'p99' | 'errors' | 'notTerminal' | 'throughput' | 'rate'> &
    Partial<Pick<Checked, 'wrongOutcome' | 'notDone'>>,
  p99LimitMs: number,
) =>
  r.p99 <= p99LimitMs &&
  r.errors === 0 &&
  r.notTerminal === 0 &&
  (r.wrongOutcome ?? 0) === 0 &&
  (r.notDone ?? 0) === 0 &&
  r.throughput >= 0.9 * r.rate;

export type LatencyStep = StepResult & Checked & { usage: Usage; io: IoPerSaga; repetition: number };

/**
 * Latency / throughput: every mode at each rate, `repeats` times, in `latencyPlan`'s seeded order
 * (rates and modes shuffled per repetition), fixed duration each. A rate is sustained by a mode
 * when most of its repetitions kept p99 within the limit with every order terminal and no error;
 * a mode that has not sustained a rate sits out the higher ones from then on.
 */
export const latencySuite = async (ctx: SuiteContext, rates: number[], repeats = 1) => {
  const steps = new Map<string, LatencyStep[]>(ctx.modes.map((m) => [m.name, []]));
  const atRate = (mode: Mode, rate: number) => steps.get(mode.name)!.filter((s) => s.rate === rate);
  const sustainedAt = (mode: Mode, rate: number) => {
    const at = atRate(mode, rate);
    return at.length > 0 && at.filter((s) => sustained(s, ctx.p99LimitMs)).length * 2 > at.length;
  };
  // A mode sits out a rate above one it has not sustained (most of that rate's steps so far failed).
  const failedBelow = (mode: Mode, rate: number) =>
    rates.some((r) => r < rate && atRate(mode, r).length > 0 && !sustainedAt(mode, r));
  for (const { rep, rate, mode } of latencyPlan(ctx.modes, rates, repeats, ctx.seed)) {
    const label = `latency ${mode.name} @ ${rate}/s${repeats > 1 ? ` (${rep}/${repeats})` : ''}`;
    if (failedBelow(mode, rate)) {
      ctx.say(`${label.padEnd(42)}: sits out (a lower rate was not sustained)`);
      continue;
    }
    const count = Math.max(1, Math.round(rate * ctx.stepSeconds), Math.ceil(ctx.latencySamples / repeats));
    const r = await happyStep(ctx, mode, rate, count, label);
    steps.get(mode.name)!.push({ ...r, repetition: rep });
    ctx.say(
      `${label.padEnd(42)}: p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.throughput}/s, errors ${r.errors + r.notTerminal}` +
        `${r.wrongOutcome ? `, ${r.wrongOutcome} wrong outcome` : ''}, harness delay p99 ${r.harnessDelayP99Ms ?? '—'} ms` +
        `${sustained(r, ctx.p99LimitMs) ? '' : '  ← not sustained'}`,
    );
  }
  return ctx.modes.map((m, i) => {
    const ok = rates.filter((rate) => sustainedAt(m, rate));
    const mine = steps.get(m.name)!;
    return {
      mode: m.name,
      repeats,
      steps: mine,
      highestSustainedRate: ok.length ? Math.max(...ok) : 0,
      pooled: rates.flatMap((rate, j) => {
        const at = mine.filter((s) => s.rate === rate);
        return at.length ? [poolRate(rate, at, ctx.seed * 1000 + i * 50 + j * 5)] : [];
      }),
    };
  });
};

/**
 * API accept latency and throughput: autocannon, closed loop, against `POST /orders` for a few
 * seconds. Accepting an order does not involve the coordinator; one runs anyway (the first
 * custom mode, the fastest to drain) so every accepted order becomes terminal for the checker.
 */
export const apiSuite = async (ctx: SuiteContext, orderUrl: string, seconds: number, connections: number) => {
  const mode = ctx.modes.find((m) => m.coordinator === 'custom') ?? ctx.modes[0]!;
  const r = await withCoordinator(ctx, mode, async () => {
    const run = autocannon({
      url: `${orderUrl}/orders`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(HAPPY),
      connections,
      duration: seconds,
    });
    const ticker = setInterval(() => ctx.progress(`api: autocannon, ${connections} connections, ${seconds} s`), 1000);
    try {
      return await run;
    } finally {
      clearInterval(ticker);
    }
  });
  const out = {
    coordinator: mode.name,
    connections,
    seconds,
    requestsPerSecond: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    total: r.requests.total,
  };
  ctx.say(
    `api: POST /orders accepted ${Math.round(out.requestsPerSecond)}/s, p50 ${out.p50} ms, p99 ${out.p99} ms (${connections} connections, ${seconds} s; non-2xx ${out.non2xx}, errors ${out.errors})`,
  );
  return out;
};

/** A fixed number of happy-path sagas at one rate, per mode (e.g. 1,000 at 50/s). */
export const fixedSuite = async (ctx: SuiteContext, rate: number, count: number) => {
  const out = [];
  for (const mode of ctx.modes) {
    const step = await happyStep(ctx, mode, rate, count, `fixed ${mode.name} ${count} @ ${rate}/s`);
    ctx.say(
      `fixed ${mode.name.padEnd(20)} ${count} @ ${rate}/s: p50 ${step.p50} ms, p99 ${step.p99} ms, ${step.throughput}/s, not terminal ${step.notTerminal}, errors ${step.errors}`,
    );
    out.push({ mode: mode.name, step });
  }
  return out;
};

/** A violation seen by one of the checker's polls and gone by its last: what, and for how long. */
export interface Transient {
  kind: string;
  subject: string;
  detail: string;
  /** Seconds from the first poll that saw it to the last one. */
  seconds: number;
}

/**
 * The checker after a suite: waits for stragglers to settle, then reports what does not add up
 * (leaving out `known` violations, as `kind:subject`, already reported by an earlier slice). Every
 * violation a poll saw that a later one no longer sees goes to `transient`, with how long it was
 * seen — none is hidden by the settling.
 */
export const checkWorld = async (
  wb: BenchWorkbench,
  opts: { settleMs?: number; known?: Set<string>; transient?: Transient[] } = {},
): Promise<Violation[]> => {
  const until = Date.now() + (opts.settleMs ?? 30_000);
  const seen = new Map<string, { v: Violation; first: number; last: number }>();
  for (;;) {
    const v = check(await wb.snapshot(), { poison: wb.poison }).filter((x) => !opts.known?.has(violationKey(x)));
    const now = Date.now();
    for (const x of v) {
      const was = seen.get(violationKey(x));
      seen.set(violationKey(x), { v: x, first: was?.first ?? now, last: now });
    }
    if (v.length === 0 || now > until) {
      const still = new Set(v.map(violationKey));
      for (const [key, { v: x, first, last }] of seen)
        if (!still.has(key))
          opts.transient?.push({ kind: x.kind, subject: x.subject, detail: x.detail, seconds: (last - first) / 1000 });
      return v;
    }
    await sleep(1_000);
  }
};
/** Transient violations per kind: how many and the longest seen, as one line each. */
export const describeTransient = (ts: Transient[]) =>
  [...new Set(ts.map((t) => t.kind))].map((kind) => {
    const of = ts.filter((t) => t.kind === kind);
    return `${kind}: ${of.length}, seen ≤ ${Math.max(...of.map((t) => t.seconds)).toFixed(0)} s (e.g. ${of[0]!.subject}: ${of[0]!.detail})`;
  });
export const violationKey = (v: Violation) => `${v.kind}:${v.subject}`;
export { describeViolations };
