import { UNDO_OF, type HistoryLine, type SagaStatus } from './saga.ts';

/** A step as the timeline shows it: how often it was tried, how it ended, when. */
export interface TimelineStepView {
  step: string;
  /** `undo` for a compensation (it undoes a step before the pivot). */
  kind: 'step' | 'undo';
  state: 'running' | 'succeeded' | 'refused' | 'gave-up' | 'cancelled';
  /** Attempts made; null where the coordinator does not see them (a choreographed step retries inside its service). */
  attempts: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** The last reason, refusal or error. */
  detail: string | null;
}

/** What the coordinator knows besides the history: the saga's head and its next timer. */
export interface TimelineHead {
  id: string;
  status: SagaStatus;
  reason: string | null;
  currentStep: string | null;
  createdAt: string;
  updatedAt: string | null;
  deadlineAt: string | null;
  /** When the current step's timer next fires (its timeout or its next attempt); null when none. */
  nextTimerAt: string | null;
  /** What only this coordinator keeps (its data, version, facts, run id …). */
  coordinator: Record<string, unknown>;
}

const UNDOS = new Set(Object.values(UNDO_OF));

/**
 * One timeline from any coordinator's typed history (contracts `SagaTimeline`): the steps with
 * their attempts, timings and ends; the compensation — what it did and what it still owes (the
 * undo of every step before the pivot that succeeded, gave up or was cancelled without an answer); and the
 * pending steps with their attempt and next timer.
 */
export const timelineOf = (head: TimelineHead, history: HistoryLine[]) => {
  const steps: TimelineStepView[] = [];
  const latest = new Map<string, TimelineStepView>();
  const stepOf = (e: HistoryLine): TimelineStepView => {
    const name = e.step!;
    let s = latest.get(name);
    if (!s) {
      s = {
        step: name,
        kind: UNDOS.has(name) ? 'undo' : 'step',
        state: 'running',
        attempts: null,
        startedAt: null,
        finishedAt: null,
        detail: null,
      };
      steps.push(s);
      latest.set(name, s);
    }
    return s;
  };
  let compensating = false;
  // Undo is owed in reverse order of the steps it undoes.
  for (const e of history) {
    if (e.status === 'COMPENSATING') compensating = true;
    if (!e.step) continue;
    if (!['requested', 'succeeded', 'refused', 'attempt-failed', 'gave-up', 'cancelled'].includes(e.kind)) continue;
    const s = stepOf(e);
    switch (e.kind) {
      case 'requested':
        s.startedAt ??= e.at;
        s.attempts = e.attempt ?? s.attempts;
        // Asked again (an operator retry, a fresh budget): running again.
        if (s.state !== 'succeeded') Object.assign(s, { state: 'running', finishedAt: null });
        break;
      case 'attempt-failed':
        s.detail = e.detail;
        break;
      default:
        if (e.attempt !== null) s.attempts = e.attempt;
        Object.assign(s, { state: e.kind, finishedAt: e.at, detail: e.detail ?? s.detail });
    }
  }
  const stateOf = (name: string) => latest.get(name)?.state;
  const due = compensating
    ? Object.entries(UNDO_OF)
        .reverse()
        .filter(([step]) => ['succeeded', 'gave-up', 'cancelled', 'running'].includes(stateOf(step) ?? ''))
        .map(([, undo]) => undo)
    : [];
  const done = steps.filter((s) => s.kind === 'undo' && s.state === 'succeeded').map((s) => s.step);
  const open = !['COMPLETED', 'REJECTED', 'RESOLVED'].includes(head.status);
  const pending = open
    ? steps
        .filter((s) => s.state === 'running' || (head.status === 'NEEDS_ATTENTION' && s.step === head.currentStep))
        .map((s) => ({ step: s.step, attempts: s.attempts, since: s.startedAt, nextTimerAt: head.nextTimerAt }))
    : [];
  return {
    id: head.id,
    status: head.status,
    reason: head.reason,
    currentStep: head.currentStep,
    createdAt: head.createdAt,
    updatedAt: head.updatedAt,
    deadlineAt: head.deadlineAt,
    steps,
    compensation: { started: compensating, done, owed: due.filter((u) => !done.includes(u)) },
    pending,
    history,
    coordinator: head.coordinator,
  };
};
