import { WorkflowUpdateFailedError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import {
  isTerminal,
  operatorRefusal,
  SAGA_STATUSES,
  timelineOf,
  type SagaPage,
  type SagaStatus,
  type SagaSummary,
} from '@saga/contracts';
import { historyLine, type Operated, type SagaOperator } from '@saga/service';
import { SagaStatusKey } from './shared.ts';
import { operateUpdate, statusQuery } from './workflows.ts';

const isStatus = (s: unknown): s is SagaStatus => SAGA_STATUSES.includes(s as SagaStatus);

/**
 * A list row from Temporal's visibility: the status is the `SagaStatus` search attribute the
 * workflow keeps; the step and reason are not indexed (the timeline, `GET /sagas/:id`, has them),
 * and visibility keeps no update time — `updatedAt` is the close time, null while running.
 */
const summaryOf = (w: WorkflowExecutionInfo): SagaSummary => {
  const attr = w.typedSearchAttributes.get(SagaStatusKey);
  return {
    id: w.workflowId,
    status: isStatus(attr) ? attr : 'RUNNING',
    currentStep: null,
    reason: null,
    createdAt: w.startTime.toISOString(),
    updatedAt: w.closeTime?.toISOString() ?? null,
  };
};

/**
 * The Temporal coordinator's side of the operator API (`operatorApi` in @saga/service serves it):
 * lists and totals from visibility (this coordinator's task queue, newest first — SQL visibility
 * has no other order), one saga's timeline from the workflow's `status` query, and operator
 * actions as the workflow's `operate` update, whose validator refuses what does not fit (409).
 */
export const temporalOperator = (client: Client, taskQueue: string): SagaOperator => ({
  async list({ status, page, pageSize }): Promise<SagaPage> {
    // An open status only counts for a workflow still running (one terminated by hand keeps its last attribute).
    const query = [
      `TaskQueue = '${taskQueue}'`,
      ...(status ? [`SagaStatus = '${status}'`] : []),
      ...(status && !isTerminal(status) ? [`ExecutionStatus = 'Running'`] : []),
    ].join(' AND ');
    const { count } = await client.workflow.count(query);
    const skip = (page - 1) * pageSize;
    const items: SagaSummary[] = [];
    let seen = 0;
    if (skip < count) {
      for await (const w of client.workflow.list({ query, pageSize: Math.min(1_000, skip + pageSize) })) {
        if (seen++ < skip) continue;
        items.push(summaryOf(w));
        if (items.length >= pageSize) break;
      }
    }
    return { items, page, pageSize, total: count };
  },

  async get(id) {
    const handle = client.workflow.getHandle(id);
    const view = await handle.query(statusQuery).catch(() => undefined);
    if (!view) return undefined;
    const d = await handle.describe();
    // The step in flight, from the server: its attempt, and its next timer — the next attempt's
    // start when it backs off, else the running attempt's start-to-close timeout.
    const p = d.raw.pendingActivities?.[0];
    const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
      t?.seconds != null ? Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : null;
    const next =
      ms(p?.nextAttemptScheduleTime) ??
      (ms(p?.lastStartedTime) !== null && view.stepTimeoutMs ? ms(p?.lastStartedTime)! + view.stepTimeoutMs : null);
    const history = view.history.map((h) =>
      typeof h === 'string'
        ? historyLine(h, {
            at: d.startTime,
            step: null,
            attempt: null,
            status: null,
            detail: null,
            commandId: null,
            messageId: null,
          })
        : h,
    );
    const timeline = timelineOf(
      {
        id,
        status: view.status,
        reason: view.reason,
        currentStep: view.step,
        createdAt: d.startTime.toISOString(),
        updatedAt: d.closeTime?.toISOString() ?? null,
        deadlineAt: view.deadlineAt ?? null,
        nextTimerAt: next === null ? null : new Date(next).toISOString(),
        coordinator: {
          runId: d.runId,
          taskQueue: d.taskQueue,
          executionStatus: d.status.name,
          historyLength: d.historyLength,
          ...(p ? { inFlight: { attempt: p.attempt ?? null, lastFailure: p.lastFailure?.message ?? null } } : {}),
        },
      },
      history,
    );
    // The server counts the attempts of the step in flight (the workflow hears only its end).
    for (const q of timeline.pending) if (p?.attempt && q.step === view.step) q.attempts = p.attempt;
    return timeline;
  },

  async operate(id, action, note): Promise<Operated> {
    const handle = client.workflow.getHandle(id);
    const view = await handle.query(statusQuery).catch(() => undefined);
    if (!view) return undefined;
    // A closed workflow takes no update; say why as the workflow's own rules would.
    if (isTerminal(view.status)) return { refused: operatorRefusal(action, view.status, false, 'Temporal')! };
    try {
      const after = await handle.executeUpdate(operateUpdate, { args: note ? [action, note] : [action] });
      return { outcome: { id, status: after.status, currentStep: after.step } };
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) return { refused: err.cause?.message ?? err.message };
      throw err;
    }
  },
});
