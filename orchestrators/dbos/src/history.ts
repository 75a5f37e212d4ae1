import type { HistoryLine, SagaStatus } from '@saga/contracts/saga';
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

/**
 * The saga's typed history read back from what DBOS recorded of its workflow (ADR 0019): every
 * attempt is a step named after the saga's step, every reply or operator message a `DBOS.recv`,
 * every status a `status` step writing the saga's row — so the timeline costs no write of its own.
 */
export const historyOf = (orderId: string, createdAt: string, recorded: readonly RecordedStep[]): HistoryLine[] => {
  let status: SagaStatus = 'RUNNING';
  let pastPivot = false;
  const lines: HistoryLine[] = [];
  const attempts = new Map<string, number>();
  /** The step asked and not answered yet, and whether it waits for a reply (Kafka). */
  let open: { step: string; waiting: boolean } | null = null;
  const push = (kind: HistoryLine['kind'], at: string, f: Partial<HistoryLine> = {}) =>
    lines.push({ at, kind, step: null, attempt: null, status, detail: null, commandId: null, messageId: null, ...f });
  push('started', createdAt);
  const close = (kind: 'succeeded' | 'refused' | 'gave-up' | 'cancelled', at: string, f: Partial<HistoryLine> = {}) => {
    if (!open) return;
    const step = open.step;
    push(kind, at, { step, attempt: attempts.get(step) ?? null, commandId: `${orderId}:${step}`, ...f });
    open = null;
  };

  for (const r of recorded) {
    const started = iso(r.startedAtEpochMs, createdAt);
    const at = iso(r.completedAtEpochMs ?? r.startedAtEpochMs, started);
    if (r.name === STATUS_STEP) {
      if (typeof r.output !== 'object' || r.output === null) continue; // the first: the row and the deadline
      const row = r.output as SagaRow;
      if (row.status === status) continue;
      if (status === 'RUNNING' && row.status === 'COMPENSATING' && open) {
        if (row.reason === 'DEADLINE_EXCEEDED') push('deadline', at, { step: open.step });
        close(row.reason?.startsWith('RETRIES_EXHAUSTED') ? 'gave-up' : 'cancelled', at, { detail: row.reason });
      } else if (status === 'RUNNING' && row.reason === 'DEADLINE_EXCEEDED') push('deadline', at);
      if (row.status === 'NEEDS_ATTENTION') close('gave-up', at, { detail: row.reason });
      status = row.status;
      push('status', at, { step: row.step, detail: `saga ${status.toLowerCase()}` });
    } else if (r.name === PIVOT_STEP) {
      if (r.output) push('operator', at, { detail: 'compensate (before the pivot)' });
      else pastPivot = true;
    } else if (r.name === RECV) {
      const m = r.output as InboxMessage | null;
      if (!m) {
        if (open?.waiting) {
          push('attempt-failed', at, {
            step: open.step,
            attempt: attempts.get(open.step) ?? null,
            detail: 'no reply in time',
          });
          open.waiting = false;
        }
      } else if (m.type === 'reply') {
        if (open && m.commandId === `${orderId}:${open.step}`)
          close(m.outcome === 'SUCCESS' ? 'succeeded' : 'refused', at, {
            detail: m.outcome === 'SUCCESS' ? null : (m.reason ?? 'FAILURE'),
            messageId: m.messageId,
          });
        else
          push('ignored', at, {
            step: m.commandId.slice(orderId.length + 1) || null,
            detail: 'a reply no step waits for',
            commandId: m.commandId,
            messageId: m.messageId,
          });
      } else {
        push('operator', at, { step: open?.step ?? null, detail: `${m.action}${m.note ? ` (${m.note})` : ''}` });
        if (m.action === 'compensate' && status === 'RUNNING' && !pastPivot)
          close('cancelled', at, { detail: 'cancelled in flight' });
      }
    } else if (!r.name.startsWith('DBOS.')) {
      const out = r.output as AttemptOutput | null;
      if (!out || out.kind === 'expired') continue;
      const attempt = (attempts.get(r.name) ?? 0) + 1;
      attempts.set(r.name, attempt);
      open = { step: r.name, waiting: out.kind === 'sent' };
      push('requested', started, { step: r.name, attempt, commandId: `${orderId}:${r.name}` });
      if (out.kind === 'answer')
        close(out.outcome === 'SUCCESS' ? 'succeeded' : 'refused', at, {
          detail: out.outcome === 'SUCCESS' ? null : (out.reason ?? 'FAILURE'),
        });
      else if (out.kind === 'no-answer') push('attempt-failed', at, { step: r.name, attempt, detail: out.error });
    }
  }
  return lines;
};
