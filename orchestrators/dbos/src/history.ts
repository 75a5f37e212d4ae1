import type { HistoryLine, ReplyOutcome, SagaStatus } from '@saga/contracts/saga';
import { PIVOT_STEP, STATUS_STEP, type AttemptOutput, type InboxMessage, type SagaRow } from './shared.ts';

/** A recorded step of a workflow as `DBOS.listWorkflowSteps` gives it (the fields read here). */
export interface RecordedStep {
  name: string;
  output: unknown;
  startedAtEpochMs?: number;
  completedAtEpochMs?: number;
}

const RECV = 'DBOS.recv';
const iso = (ms: number | undefined, fallback: string) => (ms === undefined ? fallback : new Date(ms).toISOString());

/** The history being read: its lines, the saga's status so far, the step asked and not answered yet. */
class Reader {
  status: SagaStatus = 'RUNNING';
  pastPivot = false;
  readonly lines: HistoryLine[] = [];
  readonly attempts = new Map<string, number>();
  /** The step asked and not answered yet, and whether it waits for a reply (Kafka). */
  open: { step: string; waiting: boolean } | null = null;

  constructor(readonly orderId: string) {}

  push(kind: HistoryLine['kind'], at: string, f: Partial<HistoryLine> = {}) {
    this.lines.push({
      at,
      kind,
      step: null,
      attempt: null,
      status: this.status,
      detail: null,
      commandId: null,
      messageId: null,
      ...f,
    });
  }

  /** The open step ends (answered, given up, cancelled). */
  close(kind: 'succeeded' | 'refused' | 'gave-up' | 'cancelled', at: string, f: Partial<HistoryLine> = {}) {
    if (!this.open) return;
    const step = this.open.step;
    this.push(kind, at, { step, attempt: this.attempts.get(step) ?? null, commandId: `${this.orderId}:${step}`, ...f });
    this.open = null;
  }

  answered(outcome: ReplyOutcome, reason: string | undefined, at: string, f: Partial<HistoryLine> = {}) {
    this.close(outcome === 'SUCCESS' ? 'succeeded' : 'refused', at, {
      detail: outcome === 'SUCCESS' ? null : (reason ?? 'FAILURE'),
      ...f,
    });
  }

  /** A `status` step: the saga's row as written (the first one only fixes the deadline). */
  statusWritten(row: SagaRow, at: string) {
    if (row.status === this.status) return;
    if (this.status === 'RUNNING' && row.status === 'COMPENSATING' && this.open) {
      if (row.reason === 'DEADLINE_EXCEEDED') this.push('deadline', at, { step: this.open.step });
      this.close(row.reason?.startsWith('RETRIES_EXHAUSTED') ? 'gave-up' : 'cancelled', at, { detail: row.reason });
    } else if (this.status === 'RUNNING' && row.reason === 'DEADLINE_EXCEEDED') this.push('deadline', at);
    if (row.status === 'NEEDS_ATTENTION') this.close('gave-up', at, { detail: row.reason });
    this.status = row.status;
    this.push('status', at, { step: row.step, detail: `saga ${this.status.toLowerCase()}` });
  }

  /** A `recv`: a reply, an operator's message, or nothing (the wait timed out). */
  received(m: InboxMessage | null, at: string) {
    const open = this.open;
    if (!m) {
      if (!open?.waiting) return;
      this.push('attempt-failed', at, {
        step: open.step,
        attempt: this.attempts.get(open.step) ?? null,
        detail: 'no reply in time',
      });
      open.waiting = false;
    } else if (m.type === 'reply') {
      if (open && m.commandId === `${this.orderId}:${open.step}`)
        return this.answered(m.outcome, m.reason, at, { messageId: m.messageId, via: m.via ?? null });
      this.push('ignored', at, {
        step: m.commandId.slice(this.orderId.length + 1) || null,
        detail: 'a reply no step waits for',
        commandId: m.commandId,
        messageId: m.messageId,
        via: m.via ?? null,
      });
    } else {
      this.push('operator', at, { step: open?.step ?? null, detail: `${m.action}${m.note ? ` (${m.note})` : ''}` });
      if (m.action === 'compensate' && this.status === 'RUNNING' && !this.pastPivot)
        this.close('cancelled', at, { detail: 'cancelled in flight' });
    }
  }

  /** An attempt of the saga's step `step`. */
  attempted(step: string, out: AttemptOutput | null, started: string, at: string) {
    if (!out || out.kind === 'expired') return;
    const attempt = (this.attempts.get(step) ?? 0) + 1;
    this.attempts.set(step, attempt);
    this.open = { step, waiting: out.kind === 'sent' };
    const via = out.kind === 'sent' ? (out.via ?? null) : null;
    this.push('requested', started, { step, attempt, commandId: `${this.orderId}:${step}`, via });
    if (out.kind === 'answer') this.answered(out.outcome, out.reason, at);
    else if (out.kind === 'no-answer') this.push('attempt-failed', at, { step, attempt, detail: out.error });
  }
}

/**
 * The saga's typed history read back from what DBOS recorded of its workflow (ADR 0019): every
 * attempt is a step named after the saga's step, every reply or operator message a `DBOS.recv`,
 * every status a `status` step writing the saga's row — so the timeline costs no write of its own.
 */
export const historyOf = (orderId: string, createdAt: string, recorded: readonly RecordedStep[]): HistoryLine[] => {
  const r = new Reader(orderId);
  r.push('started', createdAt);
  for (const step of recorded) {
    const started = iso(step.startedAtEpochMs, createdAt);
    const at = iso(step.completedAtEpochMs ?? step.startedAtEpochMs, started);
    if (step.name === STATUS_STEP) {
      // The first writes the row and fixes the deadline: its output is the deadline.
      if (typeof step.output === 'object' && step.output !== null) r.statusWritten(step.output as SagaRow, at);
    } else if (step.name === PIVOT_STEP) {
      if (step.output) r.push('operator', at, { detail: 'compensate (before the pivot)' });
      else r.pastPivot = true;
    } else if (step.name === RECV) r.received(step.output as InboxMessage | null, at);
    else if (!step.name.startsWith('DBOS.')) r.attempted(step.name, step.output as AttemptOutput | null, started, at);
  }
  return r.lines;
};
