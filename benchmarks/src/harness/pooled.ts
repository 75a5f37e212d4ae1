import { estimate, type Estimate } from '../evidence.ts';
import type { SagaTimes } from './commit-times.ts';
import type { StepResult } from './driver.ts';

/** What a happy step measured beyond the driver's: the services' own clocks and the outcome check. */
export interface Checked {
  /** Happy orders that ended other than APPROVED: errors, out of every latency figure. */
  wrongOutcome: number;
  /** Orders with no notification recorded once the step drained: errors too. */
  notDone: number;
  /** ms from the order's row to its verdict, and to its notification (approved orders), by the services' commits. */
  decidedMs: number[];
  doneMs: number[];
}

/** The outcome check and the services' clocks for a step of happy orders (`commit-times.ts`). */
export const checkHappy = (step: StepResult, times: Map<string, SagaTimes>): StepResult & Checked => {
  const ids = step.ids ?? [];
  const wrong = new Set(
    ids.filter((id) => times.get(id)?.verdict !== undefined && times.get(id)!.verdict !== 'APPROVED'),
  );
  const approved = ids.flatMap((id) => {
    const t = times.get(id);
    return t?.verdict === 'APPROVED' ? [t] : [];
  });
  return {
    ...step,
    samples: step.samples.filter((x) => !wrong.has(x.id)),
    wrongOutcome: wrong.size,
    notDone: ids.filter((id) => times.get(id)?.notifiedAt === undefined).length,
    decidedMs: approved.map((t) => t.decidedAt! - t.createdAt),
    doneMs: approved.flatMap((t) => (t.notifiedAt === undefined ? [] : [t.notifiedAt - t.createdAt])),
  };
};

/** One mode's repetitions at one rate, pooled: every latency with its n and CI, every error counted. */
export interface PooledRate {
  rate: number;
  /** POST sent → verdict consumed by the harness (its clock: the cross-check). */
  observed: Estimate;
  /** The services' commits: order row → verdict, and → the notification (the saga's last step). */
  decided: Estimate;
  done: Estimate;
  /** Failed POSTs, sagas not terminal or not done after the drain, happy orders that ended rejected. */
  errors: number;
  wrongOutcome: number;
  /** The observer's p50 less the decided one: what the harness's own path adds. */
  observerMinusDecidedMs: number;
  /** The harness's event-loop delay p99, the worst of the repetitions; flagged above HARNESS_DELAY_LIMIT_MS. */
  harnessDelayP99Ms: number | null;
}

export const poolRate = (rate: number, at: (StepResult & Checked)[], seed: number): PooledRate => {
  const observed = estimate(
    at.flatMap((s) => s.samples.map((x) => x.ms)),
    seed,
  );
  const decided = estimate(
    at.flatMap((s) => s.decidedMs),
    seed + 1,
  );
  const delays = at.flatMap((s) => (s.harnessDelayP99Ms === undefined ? [] : [s.harnessDelayP99Ms]));
  return {
    rate,
    observed,
    decided,
    done: estimate(
      at.flatMap((s) => s.doneMs),
      seed + 2,
    ),
    errors: at.reduce((a, s) => a + s.errors + s.notTerminal + s.wrongOutcome + s.notDone, 0),
    wrongOutcome: at.reduce((a, s) => a + s.wrongOutcome, 0),
    observerMinusDecidedMs: Math.round((observed.p50 - decided.p50) * 100) / 100,
    harnessDelayP99Ms: delays.length ? Math.max(...delays) : null,
  };
};
