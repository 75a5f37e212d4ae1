import { percentiles, repetitions, round } from '../stats.ts';
import { openLoopStep, type StepResult } from './driver.ts';
import { interleave } from './modes.ts';
import { HAPPY, withCoordinator, type SuiteContext } from './suites.ts';

/** The compensation suite: a mix of approvable, declined and out-of-stock orders per mode. */

export type OrderKind = 'happy' | 'declined' | 'outOfStock';
/** The compensation mix: ~20 % payment declines, ~10 % out of stock, the rest approvable. */
export const kindOf = (i: number): OrderKind =>
  i % 10 === 3 || i % 10 === 7 ? 'declined' : i % 10 === 5 ? 'outOfStock' : 'happy';
const ORDER_OF: Record<
  OrderKind,
  { customerId: string; lines: { sku: string; quantity: number; unitPriceCents: number }[] }
> = {
  happy: HAPPY,
  declined: { customerId: 'bench-poor', lines: [{ sku: 'bench', quantity: 1, unitPriceCents: 100 }] },
  outOfStock: { customerId: 'bench', lines: [{ sku: 'bench-scarce', quantity: 2, unitPriceCents: 100 }] }, // 2 of the 1 seeded
};

/**
 * Compensation: the mix at one rate per mode; latency per outcome (a rejected order is terminal
 * once its compensations ran: that is the time to full rollback), and compensations counted in the
 * inventory database against the expected number (one ReleaseStock per payment decline).
 * `repeats` slices per mode, interleaved across modes (A B C, A B C, …): the outcomes pool every
 * slice; each slice's approved p50 is kept, so a mode whose slices disagree shows it.
 */
export const compensationSuite = async (ctx: SuiteContext, rate: number, repeats = 1) => {
  interface Slices {
    kinds: Map<string, OrderKind>;
    samples: { id: string; ms: number }[];
    steps: StepResult[];
    happyP50s: number[];
  }
  const acc = new Map<string, Slices>();
  for (const { rep, mode } of interleave(ctx.modes, repeats, ctx.seed + 102)) {
    const kinds = new Map<string, OrderKind>();
    const label = `compensation ${mode.name} @ ${rate}/s${repeats > 1 ? ` (${rep}/${repeats})` : ''}`;
    const r = await withCoordinator(ctx, mode, () =>
      openLoopStep({
        rate,
        count: Math.max(10, Math.round(rate * ctx.stepSeconds)),
        send: async (i) => {
          const o = ORDER_OF[kindOf(i)];
          const id = await ctx.wb.placeOrder(o.customerId, o.lines);
          kinds.set(id, kindOf(i));
          return id;
        },
        terminalAt: (id) => ctx.wb.terminalAt.get(id),
        progress: (l) => ctx.progress(`${label}: ${l}`),
      }),
    );
    const a: Slices = acc.get(mode.name) ?? { kinds: new Map(), samples: [], steps: [], happyP50s: [] };
    acc.set(mode.name, a);
    for (const [id, k] of kinds) a.kinds.set(id, k);
    a.samples.push(...r.samples);
    a.steps.push(r);
    a.happyP50s.push(round(percentiles(r.samples.filter((x) => kinds.get(x.id) === 'happy').map((x) => x.ms)).p50!));
    ctx.say(`${label}: approved p50 ${a.happyP50s.at(-1)} ms, ${r.samples.length} terminal, errors ${r.errors}`);
  }
  // One snapshot at the end: a released reservation stays released, and a snapshot reads every database.
  const snap = await ctx.wb.snapshot();
  return ctx.modes.map((mode) => {
    const a = acc.get(mode.name)!;
    const released = new Set(
      snap.reservations
        .filter((x) => x.status === 'RELEASED' && a.kinds.get(x.orderId) === 'declined')
        .map((x) => x.orderId),
    ).size;
    const expected = [...a.kinds.values()].filter((k) => k === 'declined').length;
    const wrongOutcome = [...a.kinds].filter(
      ([id, k]) => ctx.wb.outcome.get(id) !== (k === 'happy' ? 'OrderApproved' : 'OrderRejected'),
    ).length;
    const byKind = (Object.keys(ORDER_OF) as OrderKind[]).map((kind) => {
      const p = percentiles(a.samples.filter((x) => a.kinds.get(x.id) === kind).map((x) => x.ms));
      return { kind, count: p.count, p50: round(p.p50!), p99: round(p.p99!), max: round(p.max) };
    });
    const ok = released >= expected && wrongOutcome === 0;
    const happy = repetitions(a.happyP50s);
    ctx.say(
      `compensation ${mode.name.padEnd(20)} ${rate}/s: ${byKind.map((k) => `${k.kind} p50 ${k.p50} / max ${k.max} of ${k.count} ms`).join(', ')}; compensations ${released}/${expected}; wrong outcome ${wrongOutcome}${repeats > 1 ? `; approved p50 per slice ${a.happyP50s.join(', ')}` : ''}${ok ? '' : '  ← FAILED'}`,
    );
    // The step of the first slice stands for the settings (rate, count); every slice's samples pooled.
    const step = {
      ...a.steps[0]!,
      count: a.steps.reduce((n, x) => n + x.count, 0),
      errors: a.steps.reduce((n, x) => n + x.errors, 0),
      notTerminal: a.steps.reduce((n, x) => n + x.notTerminal, 0),
      samples: a.samples,
    };
    return {
      mode: mode.name,
      step,
      byKind,
      expectedCompensations: expected,
      compensations: released,
      wrongOutcome,
      ok,
      happyP50: happy.spread,
      slicesApart: happy.apart,
      unsteady: happy.unsteady,
    };
  });
};
