import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Topics } from '@saga/contracts';
import { withTimeout } from '@saga/stack';
import { hasProcess } from '@saga/launcher';
import { formatTally, percentiles, round, tally } from '../stats.ts';
import { openLoopStep } from './driver.ts';
import { EFFECT_KINDS } from './recovery.ts';
import { machineCpu } from './usage.ts';
import { checkWorld, HAPPY, idle, violationKey, withCoordinator, type SuiteContext } from './suites.ts';
import { POISON_HEADER, poisonBatch, startDuplicator } from './chaos-traffic.ts';

export interface ChaosOptions {
  /** Arrival rate of happy-path orders, the same for every mode. */
  rate: number;
  /** Seconds of load with the faults overlapping. */
  seconds: number;
  /** Seconds of load after the last fault, to see latency come back. */
  postSeconds: number;
  /** Share of commands at the payment service refused as transient failures. */
  paymentFailureRate: number;
  /** Share of commands and replies published a second time. */
  duplicateShare: number;
  /** Restart Kafka once (off for the CI smoke: a broker restart mid-suite unsettles the tests after it). */
  kafkaRestart: boolean;
}

export interface ChaosResult {
  mode: string;
  rate: number;
  seconds: number;
  accepted: number;
  refused: number;
  /** Accepted orders never terminal. Target 0. */
  lost: number;
  /** Checker violations about effects among this slice's orders (duplicate or missing). Target 0. */
  wrongEffects: number;
  wrongEffectKinds: string[];
  /** Sagas parked NEEDS_ATTENTION when the load ended (then retried by the operator so the run can finish). Target 0. */
  parked: number;
  /** The parked sagas, counted by why they parked (e.g. `releaseStock: 25 attempts without a reply`). */
  parkedReasons?: Record<string, number>;
  /** Happy-path orders that ended rejected. Target ≤ 1 %. */
  rejectedInsteadOfApproved: number;
  rejectedShare: number;
  /** The happy orders rejected, counted by their rejection reason (e.g. DEADLINE_EXCEEDED). */
  rejectedReasons: Record<string, number>;
  p50DuringMs: number | null;
  p99DuringMs: number | null;
  p99AfterMs: number | null;
  /** Sagas the figures during and after rest on, and their largest (absent from runs before issue 42). */
  nDuring?: number;
  nAfter?: number;
  maxDuringMs?: number | null;
  maxAfterMs?: number | null;
  /** Share of the machine's CPU (all cores) that was busy while the faults ran: near 1 = saturated, the backlog grows. */
  cpuBusyDuring: number | null;
  coordinatorKills: number;
  /** Seconds from a killed coordinator's restart until it served /health again: median and max. */
  restartP50Seconds: number | null;
  restartMaxSeconds: number | null;
  duplicated: number;
  poison: number;
  /** Processes of ours that exited on their own (restarted by the supervisor). */
  crashed: string[];
  /** What was done when (seconds from the start of the load). */
  events: { second: number; what: string }[];
}

/** A coordinator restart slower than this is noted in the run's events (with its second). */
const SLOW_RESTART_SECONDS = 8;

/**
 * The chaos soak, per mode: two coordinator instances, one of them killed -9 every 6–10 s and
 * restarted 2 s later; the inventory service killed and restarted; Kafka restarted once; 5 %
 * transient failures at payment; a share of commands and replies duplicated; poison messages in
 * the command (and, over Kafka, reply) topics — all overlapping, under a steady load of happy
 * orders at one rate for every mode. Then every saga must finish, the checker must find nothing,
 * and exactly the poison must be in the dead-letter topics.
 */
export const chaosSuite = async (ctx: SuiteContext, o: ChaosOptions): Promise<ChaosResult[]> => {
  const out: ChaosResult[] = [];
  let seen = new Set<string>();
  for (const mode of ctx.modes) {
    const label = `chaos ${mode.name}`;
    const r = await withCoordinator(
      ctx,
      mode,
      async () => {
        const wb = ctx.wb;
        const t0 = performance.now();
        const cpuAtStart = machineCpu.sample();
        let cpuBusyDuring: number | null = null;
        const second = () => round((performance.now() - t0) / 1000);
        const events: ChaosResult['events'] = [];
        const note = (what: string) => {
          events.push({ second: second(), what });
          // A permanent line: the live progress line keeps only one update in ten seconds in a log.
          ctx.say(`  ${label} @ ${second()} s: ${what}`);
        };
        const crashed: string[] = [];
        let chaosOn = true;
        let kafkaDown = false;
        let kills = 0;
        const restarts: number[] = [];
        let poisoned = 0;

        await wb.setFaults('payment', { failureRate: o.paymentFailureRate });
        const dup = await startDuplicator(wb, o.duplicateShare, mode);

        // One of the two instances, alternately, every 6–10 s; restarted 2 s later. Not while Kafka is
        // down (a coordinator cannot start without it; that is the Kafka fault, not this one).
        const killer = (async () => {
          for (let i = 0; chaosOn; i = 1 - i) {
            await sleep(6_000 + Math.random() * 4_000);
            if (!chaosOn || kafkaDown) continue;
            const pid = await wb.killCoordinator(i);
            kills++;
            note(`kill -9 coordinator #${i + 1} (pid ${pid})`);
            await sleep(2_000);
            const started = performance.now();
            await wb.restartCoordinator(i).then(
              () => {
                const took = (performance.now() - started) / 1000;
                restarts.push(took);
                // The slow ones, with the time they came back, so a run's max can be traced to its cause.
                if (took > SLOW_RESTART_SECONDS) note(`coordinator #${i + 1} back after ${took.toFixed(2)} s`);
              },
              (err: unknown) => note(`coordinator #${i + 1} did not come back yet: ${String(err)}`),
            );
          }
        })();
        // The supervisor: whatever of ours died on its own is started again.
        const supervisor = (async () => {
          while (chaosOn) {
            await sleep(3_000);
            if (kafkaDown) continue;
            for (const s of wb.crashedServices()) {
              crashed.push(s);
              await wb.restartService(s).catch(() => undefined);
            }
            for (const i of wb.crashedCoordinators()) {
              crashed.push(`coordinator #${i + 1}`);
              await wb.restartCoordinator(i).catch(() => undefined);
            }
          }
        })();
        // Poison where the mode's saga traffic is consumed: the commands, and the replies (a coordinator
        // over Kafka) or the events the services react to (choreography, ADR 0018).
        const sagaTopic = hasProcess(mode.coordinator)
          ? mode.transport === 'kafka'
            ? [Topics.sagaReplies]
            : []
          : [Topics.inventoryEvents];
        const poisonTopics = [Topics.inventoryCommands, Topics.paymentCommands, ...sagaTopic].map((t) => wb.prefix + t);
        const injectPoison = async () => {
          const producer = wb.kafka.producer();
          await producer.connect();
          for (const topic of poisonTopics) {
            const batch = poisonBatch(`poison-${randomUUID()}`);
            await producer.send({
              topic,
              messages: batch.map((value) => ({ key: 'poison', value, headers: { [POISON_HEADER]: '1' } })),
            });
            wb.poison[`${topic}.dlq`] = (wb.poison[`${topic}.dlq`] ?? 0) + batch.length;
            poisoned += batch.length;
          }
          await producer.disconnect();
          note(
            `${poisonTopics.length * 3} poison messages into ${poisonTopics.map((t) => t.slice(wb.prefix.length)).join(', ')}`,
          );
        };
        // A step that fails (e.g. poison while the broker is still coming back) is noted, never fatal.
        const at = (share: number, what: () => Promise<void>) =>
          sleep(o.seconds * 1000 * share)
            .then(() => (chaosOn ? what() : undefined))
            .catch((err: unknown) => note(`a scripted fault failed: ${String(err)}`));
        const scripted = Promise.all([
          at(0.2, injectPoison),
          at(0.3, async () => {
            const pid = await wb.killService('inventory');
            note(`kill -9 inventory (pid ${pid})`);
            await sleep(3_000);
            await wb.restartService('inventory');
            note('inventory back');
          }),
          at(0.5, async () => {
            if (!o.kafkaRestart) return;
            kafkaDown = true;
            const pid = await wb.stopServer('kafka');
            note(`Kafka stopped (pid ${pid})`);
            await wb.startServer('kafka');
            kafkaDown = false;
            note('Kafka back');
          }),
          at(0.7, injectPoison),
        ]);

        const ids: (string | undefined)[] = [];
        const sentAt: number[] = [];
        let chaosEndsAt = Infinity;
        const step = await openLoopStep({
          rate: o.rate,
          count: Math.round(o.rate * (o.seconds + o.postSeconds + 600)),
          // The load goes on until the faults are over (Kafka's restart may outlast `seconds`), then `postSeconds` more.
          stopWhen: () => performance.now() > chaosEndsAt + o.postSeconds * 1000,
          drainMs: 120_000,
          send: async (i) => {
            if (chaosOn && performance.now() - t0 > o.seconds * 1000) {
              chaosOn = false;
              void Promise.all([killer, scripted]).then(() => {
                chaosEndsAt = performance.now();
                cpuBusyDuring = machineCpu.busyShare(cpuAtStart, machineCpu.sample());
                note('faults over');
              });
            }
            sentAt[i] = performance.now();
            // One product and one customer (not `happyOrder`'s spread): every soak in ADR 0008's table ran this load.
            const id = await wb.placeOrder(HAPPY.customerId, HAPPY.lines);
            ids[i] = id;
            return id;
          },
          terminalAt: (id) => wb.terminalAt.get(id),
          progress: (l) => ctx.progress(`${label}: ${l}${chaosOn ? ' (faults on)' : ''}`),
        });
        await Promise.all([killer, scripted, supervisor]);
        await wb.setFaults('payment', { failureRate: 0 });
        await dup.stop();
        await idle(wb, 60_000, (l) => ctx.progress(`${label}: ${l}`));
        // The target is none parked; those there are counted, then retried so the run can finish.
        const parked = await withTimeout(wb.retryParked(), 60_000).catch(() => []);
        if (parked.length) await idle(wb, 60_000, (l) => ctx.progress(`${label}: ${l}`));
        const violations = await checkWorld(wb, { known: seen });
        seen = new Set([...seen, ...violations.map(violationKey)]);
        return {
          ids,
          sentAt,
          step,
          events,
          violations,
          crashed,
          kills,
          restarts,
          poisoned,
          parked,
          duplicated: dup.count(),
          chaosEndsAt,
          cpuBusyDuring,
        };
      },
      2,
    );

    const at = (id: string) => ctx.wb.terminalAt.get(id);
    const accepted = r.ids.flatMap((id, i) => (id ? [{ id, i }] : []));
    const latencies = (keep: (sent: number) => boolean) =>
      percentiles(
        accepted
          .filter(({ id, i }) => keep(r.sentAt[i]!) && at(id) !== undefined)
          .map(({ id, i }) => at(id)! - r.sentAt[i]!),
      );
    const during = latencies((s) => s < r.chaosEndsAt);
    const after = latencies((s) => s >= r.chaosEndsAt);
    const effects = r.violations.filter((v) => EFFECT_KINDS.includes(v.kind));
    const rejectedIds = accepted.filter(({ id }) => ctx.wb.outcome.get(id) === 'OrderRejected');
    const rejected = rejectedIds.length;
    const rejectedReasons = tally(rejectedIds.map(({ id }) => ctx.wb.rejectReason.get(id) ?? 'unknown'));
    const ms = (x: number | undefined) => (x !== undefined && Number.isFinite(x) && x > 0 ? Math.round(x) : null);
    const res: ChaosResult = {
      mode: mode.name,
      rate: o.rate,
      seconds: o.seconds,
      accepted: accepted.length,
      refused: r.step.errors,
      lost: accepted.filter(({ id }) => at(id) === undefined).length,
      wrongEffects: effects.length,
      wrongEffectKinds: [...new Set(effects.map((v) => v.kind))],
      parked: r.parked.length,
      parkedReasons: tally(r.parked.map((p) => p.why)),
      rejectedInsteadOfApproved: rejected,
      rejectedShare: accepted.length ? round((100 * rejected) / accepted.length) / 100 : 0,
      rejectedReasons,
      p50DuringMs: ms(during.p50),
      p99DuringMs: ms(during.p99),
      p99AfterMs: ms(after.p99),
      nDuring: during.count,
      nAfter: after.count,
      maxDuringMs: ms(during.max),
      maxAfterMs: ms(after.max),
      cpuBusyDuring: r.cpuBusyDuring,
      coordinatorKills: r.kills,
      restartP50Seconds: r.restarts.length ? round(percentiles(r.restarts).p50!) : null,
      restartMaxSeconds: r.restarts.length ? round(Math.max(...r.restarts)) : null,
      duplicated: r.duplicated,
      poison: r.poisoned,
      crashed: r.crashed,
      events: r.events,
    };
    const other = r.violations.filter((v) => !EFFECT_KINDS.includes(v.kind));
    ctx.say(
      `chaos ${mode.name.padEnd(22)} ${res.accepted} sagas at ${o.rate}/s: lost ${res.lost}, wrong effects ${res.wrongEffects}, parked ${res.parked}${res.parked ? ` (${formatTally(res.parkedReasons!)})` : ''}, ` +
        `happy rejected ${res.rejectedInsteadOfApproved} (${(res.rejectedShare * 100).toFixed(1)} %${rejected ? `: ${formatTally(rejectedReasons)}` : ''}); ${res.coordinatorKills} coordinator kills (back in ${res.restartP50Seconds ?? '—'} s, max ${res.restartMaxSeconds ?? '—'} s), ${res.duplicated} duplicates, ${res.poison} poison; ` +
        `p99 during ${res.p99DuringMs} ms, after ${res.p99AfterMs} ms; CPU ${res.cpuBusyDuring === null ? '—' : `${Math.round(res.cpuBusyDuring * 100)} %`} busy during${res.crashed.length ? `; CRASHED: ${res.crashed.join(', ')}` : ''}` +
        `${
          other.length
            ? `; checker: ${other
                .map((v) => `${v.kind} ${v.subject}`)
                .slice(0, 3)
                .join('; ')}`
            : ''
        }`,
    );
    out.push(res);
  }
  return out;
};
