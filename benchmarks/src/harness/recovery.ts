import { setTimeout as sleep } from 'node:timers/promises';
import { percentiles, round } from '../stats.ts';
import type { ViolationKind } from './checker.ts';
import { openLoopStep } from './driver.ts';
import { interleave } from './modes.ts';
import { withTimeout } from '@saga/stack';
import { checkWorld, idle, placeHappy, violationKey, withCoordinator, type SuiteContext } from './suites.ts';

import type { Fault, Injected } from './faults.ts';

export { FAULTS, pickFaults, type Fault } from './faults.ts';

/** Violations that mean an effect happened twice or not at all (lost sagas are counted apart). */
export const EFFECT_KINDS: ViolationKind[] = [
  'approved-stock-not-committed',
  'approved-hold',
  'approved-notification',
  'rejected-stock-held',
  'rejected-payment-held',
  'rejected-notification',
  'stock-not-conserved',
  'money-not-conserved',
];

export interface RecoveryResult {
  fault: string;
  mode: string;
  /** Which repetition of this fault on this mode (1 in the runs made before repetitions). */
  repetition?: number;
  target: string;
  pid: number;
  rate: number;
  accepted: number;
  /** POST /orders answered with an error (e.g. while PostgreSQL restarted): the client knows. */
  refused: number;
  /** Accepted orders never terminal. Must be 0. */
  lost: number;
  /** Checker violations about effects (duplicate or missing) among this slice's orders. Must be 0. */
  wrongEffects: number;
  wrongEffectKinds: string[];
  /** Happy-path orders that ended rejected (a step's retry budget ran out during the fault). */
  rejectedInsteadOfApproved: number;
  /** Sagas parked as NEEDS_ATTENTION (a compensation kept failing) that the operator retried once the part was back. */
  operatorRetries: number;
  /** Seconds from the fault until the part served again. */
  downSeconds: number;
  /** Seconds from the part serving again until the last saga in flight at the fault was terminal. */
  recoverySeconds: number | null;
  /**
   * Seconds from the fault until latency was normal again: from the first saga sent after which
   * every later one finished within max(1 s, 3 × p99 before the fault).
   */
  normalAfterSeconds: number | null;
  p99BeforeMs: number | null;
  /** Sagas the figures before and after rest on, and the largest before (absent from runs before issue 42). */
  nBefore?: number;
  nAfter?: number;
  maxBeforeMs?: number | null;
  /** p99 of the sagas started in the minute after the fault (the load lasts as long as the run's settings). */
  p99AfterMs: number | null;
  maxAfterMs: number | null;
  /** Processes of ours that exited on their own during the slice (restarted by the harness, as a supervisor would). */
  crashed: string[];
  /** Terminal sagas per second since the load began; the fault and the return marked. */
  timeline: { second: number; terminal: number }[];
  faultSecond: number;
  backSecond: number;
}

const ms = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? Math.round(x) : null);

/**
 * For each fault, each mode it applies to, `repeats` times interleaved across those modes: a
 * steady open-loop load (happy-path orders), the fault `preSeconds` in, the load going on
 * `postSeconds` after the part is back; then every saga must finish and the checker must find
 * nothing new.
 */
export const recoverySuite = async (
  ctx: SuiteContext,
  faults: Fault[],
  o: { rate: number; preSeconds: number; postSeconds: number; drainMs: number; repeats?: number },
) => {
  const out: RecoveryResult[] = [];
  const repeats = o.repeats ?? 1;
  let seen = new Set<string>();
  for (const fault of faults) {
    for (const { rep, mode } of interleave(ctx.modes.filter(fault.applies), repeats, ctx.seed + 103)) {
      const label = `recovery ${fault.name} ${mode.name}${repeats > 1 ? ` (${rep}/${repeats})` : ''}`;
      const r = await withCoordinator(
        ctx,
        mode,
        async () => {
          const ids: (string | undefined)[] = [];
          const sentAt: number[] = [];
          const t0 = performance.now();
          let injected: Injected | undefined;
          // The operator, once the part is back (every 5 s): a process that crashed is restarted, as a
          // supervisor would (and recorded); sagas parked as NEEDS_ATTENTION are retried.
          const parked = new Set<string>();
          const crashed: string[] = [];
          let done = false;
          const operator = async () => {
            while (!done) {
              for (const s of ctx.wb.crashedServices()) {
                crashed.push(s);
                await ctx.wb.restartService(s).catch(() => undefined);
              }
              for (const i of ctx.wb.crashedCoordinators()) {
                crashed.push(`coordinator #${i + 1}`);
                await ctx.wb.restartCoordinator(i).catch(() => undefined);
              }
              for (const { id } of await withTimeout(ctx.wb.retryParked(), 30_000).catch(() => [])) parked.add(id);
              await sleep(5_000);
            }
          };
          let operating: Promise<void> | undefined;
          const injecting = sleep(o.preSeconds * 1000).then(async () => {
            ctx.progress(`${label}: injecting`);
            injected = await fault.inject(ctx.wb);
            operating = operator();
          });
          // The load lasts until `postSeconds` after the part is back, however long it was down.
          const step = await openLoopStep({
            rate: o.rate,
            count: Math.round(o.rate * (o.preSeconds + 600 + o.postSeconds)),
            stopWhen: () => injected !== undefined && performance.now() > injected.backAt + o.postSeconds * 1000,
            drainMs: o.drainMs,
            send: async (i) => {
              sentAt[i] = performance.now();
              const id = await placeHappy(ctx, i);
              ids[i] = id;
              return id;
            },
            terminalAt: (id) => ctx.wb.terminalAt.get(id),
            progress: (l) => ctx.progress(`${label}: ${l}${injected ? '' : ' (before the fault)'}`),
          });
          await injecting;
          await idle(ctx.wb, 60_000, (l) => ctx.progress(`${label}: ${l}`));
          done = true;
          await operating;
          // The checker over everything; only what this slice added counts against it.
          const violations = await checkWorld(ctx.wb, { known: seen });
          seen = new Set([...seen, ...violations.map(violationKey)]);
          return { ids, sentAt, t0, step, injected: injected!, violations, crashed, operatorRetries: parked.size };
        },
        fault.instances,
      );

      const { ids, sentAt, t0, injected, violations, crashed } = r;
      const at = (id: string) => ctx.wb.terminalAt.get(id);
      const accepted = ids.flatMap((id, i) => (id ? [{ id, i }] : []));
      const inFlight = accepted.filter(({ id, i }) => sentAt[i]! < injected.backAt && !(at(id)! < injected.downAt));
      const lost = accepted.filter(({ id }) => at(id) === undefined).length;
      const lastInFlight = Math.max(...inFlight.map(({ id }) => at(id) ?? Infinity), injected.backAt);
      const latency = (from: number, to: number) =>
        percentiles(
          accepted
            .filter(({ id, i }) => sentAt[i]! >= from && sentAt[i]! < to && at(id) !== undefined)
            .map(({ id, i }) => at(id)! - sentAt[i]!),
        );
      const before = latency(0, injected.downAt);
      const after = latency(injected.downAt, injected.downAt + 60_000);
      const normal = Math.max(1000, 3 * (before.p99 || 0));
      const afterFault = accepted
        .filter(({ i }) => sentAt[i]! >= injected.downAt)
        .sort((a, b) => sentAt[a.i]! - sentAt[b.i]!);
      let firstNormal = afterFault.length;
      while (
        firstNormal > 0 &&
        at(afterFault[firstNormal - 1]!.id) !== undefined &&
        at(afterFault[firstNormal - 1]!.id)! - sentAt[afterFault[firstNormal - 1]!.i]! <= normal
      )
        firstNormal--;
      const seconds = new Map<number, number>();
      for (const { id } of accepted)
        if (at(id) !== undefined)
          seconds.set(Math.floor((at(id)! - t0) / 1000), (seconds.get(Math.floor((at(id)! - t0) / 1000)) ?? 0) + 1);
      const span = Math.max(0, ...seconds.keys());
      const effects = violations.filter((v) => EFFECT_KINDS.includes(v.kind));
      const res: RecoveryResult = {
        fault: fault.name,
        mode: mode.name,
        repetition: rep,
        target: injected.target,
        pid: injected.pid,
        rate: o.rate,
        accepted: accepted.length,
        refused: r.step.errors,
        lost,
        wrongEffects: effects.length,
        wrongEffectKinds: [...new Set(effects.map((v) => v.kind))],
        rejectedInsteadOfApproved: accepted.filter(({ id }) => ctx.wb.outcome.get(id) === 'OrderRejected').length,
        downSeconds: round((injected.backAt - injected.downAt) / 1000),
        operatorRetries: r.operatorRetries,
        normalAfterSeconds:
          firstNormal < afterFault.length
            ? round((sentAt[afterFault[firstNormal]!.i]! - injected.downAt) / 1000)
            : null,
        recoverySeconds: Number.isFinite(lastInFlight)
          ? round(Math.max(0, lastInFlight - injected.backAt) / 1000)
          : null,
        p99BeforeMs: ms(before.p99),
        nBefore: before.count,
        maxBeforeMs: ms(before.max),
        nAfter: after.count,
        p99AfterMs: ms(after.p99),
        maxAfterMs: ms(after.max),
        crashed,
        timeline: Array.from({ length: span + 1 }, (_, s) => ({ second: s, terminal: seconds.get(s) ?? 0 })),
        faultSecond: round((injected.downAt - t0) / 1000),
        backSecond: round((injected.backAt - t0) / 1000),
      };
      const bad = res.lost > 0 || res.wrongEffects > 0;
      ctx.say(
        `${label.padEnd(56)} fault on ${res.target} (pid ${res.pid}); accepted ${res.accepted}, refused ${res.refused}, lost ${res.lost}, wrong effects ${res.wrongEffects}, ` +
          `rejected instead of approved ${res.rejectedInsteadOfApproved}, operator retries ${res.operatorRetries}; down ${res.downSeconds} s, all in-flight terminal ${res.recoverySeconds ?? '—'} s after, normal latency ${res.normalAfterSeconds ?? '—'} s after the fault; p99 ${res.p99BeforeMs} → ${res.p99AfterMs} ms` +
          `${crashed.length ? `; CRASHED: ${crashed.join(', ')}` : ''}${bad ? '  ← FAILED' : ''}`,
      );
      out.push(res);
    }
  }
  return out;
};
