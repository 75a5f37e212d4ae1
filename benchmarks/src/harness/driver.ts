import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { percentiles, round } from '../stats.ts';

/** What one open-loop step measured. */
export interface StepResult {
  rate: number;
  count: number;
  errors: number;
  notTerminal: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  throughput: number;
  /** The harness's own event-loop delay p99 over the step, ms: above HARNESS_DELAY_LIMIT_MS its clock was late. */
  harnessDelayP99Ms?: number;
  /** Each terminal order and its latency (ms from its due time). */
  samples: { id: string; ms: number }[];
  /** Every order the step placed (not kept in results.json). */
  ids?: string[];
}

/** A harness whose event loop was late by more than this (p99) measured itself as much as the system: its step is flagged. */
export const HARNESS_DELAY_LIMIT_MS = 5;

export interface StepOptions {
  rate: number;
  count: number;
  /** Sends one request; resolves to the id whose terminal event counts, or throws. */
  send: (i: number) => Promise<string>;
  /** When the id's terminal event was observed (performance.now()), if it was. */
  terminalAt: (id: string) => number | undefined;
  /** Checked before each send: true ends the sending early (`count` is then an upper bound). */
  stopWhen?: () => boolean;
  /** How long to wait for stragglers once everything was sent. */
  drainMs?: number;
  progress?: (line: string) => void;
}

/**
 * Open loop at a constant arrival rate: request i is due at start + i/rate and its latency counts
 * from that due time, so a stalled system shows as latency rather than as a slower send rate
 * (no coordinated omission).
 */
export const openLoopStep = async (o: StepOptions): Promise<StepResult> => {
  const due: number[] = [];
  const ids: (string | undefined)[] = [];
  let errors = 0;
  let sent = 0;
  const start = performance.now() + 50;
  const posts: Promise<void>[] = [];
  const terminal = () =>
    ids.flatMap((id, i) => (id && o.terminalAt(id) !== undefined ? [{ id, ms: o.terminalAt(id)! - due[i]! }] : []));
  const show = () => {
    const lat = terminal().map((x) => x.ms);
    const p = percentiles(lat);
    const elapsed = ((performance.now() - start) / 1000).toFixed(0);
    o.progress?.(
      `${elapsed} s, sent ${sent}${o.stopWhen ? '' : `/${o.count}`}, terminal ${lat.length}, errors ${errors}` +
        (lat.length ? `, p50 ${Math.round(p.p50!)} ms, p99 ${Math.round(p.p99!)} ms` : ''),
    );
  };
  const timer = setInterval(show, 1000);
  // Its samples are timer intervals of `resolution` ms: the delay is what exceeds it.
  const resolution = 5;
  const delay = monitorEventLoopDelay({ resolution });
  delay.enable();
  try {
    for (let i = 0; i < o.count; i++) {
      if (o.stopWhen?.()) break;
      due[i] = start + (i * 1000) / o.rate;
      const wait = due[i]! - performance.now();
      if (wait > 1) await sleep(wait);
      sent++;
      posts.push(
        o.send(i).then(
          (id) => void (ids[i] = id),
          () => void errors++,
        ),
      );
    }
    await Promise.all(posts);
    const drainUntil = performance.now() + (o.drainMs ?? 30_000);
    while (ids.some((id) => id && o.terminalAt(id) === undefined) && performance.now() < drainUntil) await sleep(50);
  } finally {
    clearInterval(timer);
    delay.disable();
  }
  show();
  const samples = terminal();
  const p = percentiles(samples.map((x) => x.ms));
  const lastDone = Math.max(...ids.map((id) => (id ? (o.terminalAt(id) ?? 0) : 0)));
  return {
    rate: o.rate,
    count: sent,
    errors,
    notTerminal: ids.filter((id) => id && o.terminalAt(id) === undefined).length,
    p50: round(p.p50!),
    p90: round(p.p90!),
    p99: round(p.p99!),
    max: round(p.max),
    throughput: round(samples.length / ((lastDone - start) / 1000)),
    harnessDelayP99Ms: round(Math.max(0, delay.percentile(99) / 1e6 - resolution)),
    samples,
    ids: ids.filter((id): id is string => id !== undefined),
  };
};
