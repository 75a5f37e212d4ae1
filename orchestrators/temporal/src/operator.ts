import {
  isGrpcServiceError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import {
  isTerminal,
  operatorRefusal,
  SAGA_STATUSES,
  timelineOf,
  UNFINISHED_STATUSES,
  type ListSagasQuery,
  type SagaFilter,
  type SagaPage,
  type SagaStatus,
  type SagaSummary,
} from '@saga/contracts';
import { HttpError } from '@saga/http';
import { historyLine, type Operated, type SagaOperator } from '@saga/service';
import { CustomerIdKey, SagaStatusKey } from './shared.ts';
import { operateUpdate, statusQuery } from './workflows.ts';

const isStatus = (s: unknown): s is SagaStatus => SAGA_STATUSES.includes(s as SagaStatus);

/**
 * A list row from Temporal's visibility: the status is the `SagaStatus` search attribute the
 * workflow keeps, the customer the `CustomerId` one set at start; the step and reason are not
 * indexed (the timeline, `GET /sagas/:id`, has them), and visibility keeps no update time —
 * `updatedAt` is the close time, null while running.
 */
const summaryOf = (w: WorkflowExecutionInfo): SagaSummary => {
  const attr = w.typedSearchAttributes.get(SagaStatusKey);
  return {
    id: w.workflowId,
    status: isStatus(attr) ? attr : 'RUNNING',
    currentStep: null,
    reason: null,
    customerId: w.typedSearchAttributes.get(CustomerIdKey) ?? null,
    createdAt: w.startTime.toISOString(),
    updatedAt: w.closeTime?.toISOString() ?? null,
  };
};

/** A string literal of Temporal's visibility query language. */
const literal = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The visibility query of the sagas on `taskQueue` under `filter`, with status `status` when given. */
const queryOf = (taskQueue: string, filter: SagaFilter, status?: SagaStatus) => {
  if (filter.step !== undefined)
    throw new HttpError(400, "step: Temporal's visibility does not index a saga's current step (filter by status)");
  return [
    `TaskQueue = ${literal(taskQueue)}`,
    ...(filter.id !== undefined ? [`WorkflowId = ${literal(filter.id)}`] : []),
    ...(filter.customerId !== undefined ? [`CustomerId = ${literal(filter.customerId)}`] : []),
    ...(filter.createdBefore !== undefined ? [`StartTime < ${literal(filter.createdBefore)}`] : []),
    ...(status ? [`SagaStatus = ${literal(status)}`] : []),
    // An open status only counts for a workflow still running (one terminated by hand keeps its last attribute).
    ...(status && !isTerminal(status) ? [`ExecutionStatus = 'Running'`] : []),
  ].join(' AND ');
};

/** One page of the sagas on `taskQueue` from visibility (see `temporalOperator`). */
const listFromVisibility = async (
  client: Client,
  taskQueue: string,
  { page, pageSize, sort, status, ...filter }: ListSagasQuery,
): Promise<SagaPage> => {
  const statuses: readonly SagaStatus[] = status ? [status] : sort === 'stuck' ? UNFINISHED_STATUSES : SAGA_STATUSES;
  const counted = await Promise.all(
    SAGA_STATUSES.map(async (s) => [s, (await client.workflow.count(queryOf(taskQueue, filter, s))).count] as const),
  );
  const counts = Object.fromEntries(counted) as Record<SagaStatus, number>;
  const total = statuses.reduce((n, s) => n + counts[s], 0);
  const query =
    statuses.length === SAGA_STATUSES.length
      ? queryOf(taskQueue, filter)
      : statuses.length === 1
        ? queryOf(taskQueue, filter, statuses[0])
        : `${queryOf(taskQueue, filter)} AND ExecutionStatus = 'Running' AND SagaStatus IN (${statuses.map(literal).join(', ')})`;
  // Newest first from visibility; the other orders are the same list read from its end.
  const fromEnd = sort !== 'newest';
  const skip = fromEnd ? Math.max(0, total - page * pageSize) : (page - 1) * pageSize;
  const take = fromEnd ? Math.min(pageSize, total - (page - 1) * pageSize) : pageSize;
  const items: SagaSummary[] = [];
  let seen = 0;
  if (take > 0 && skip < total) {
    for await (const w of client.workflow.list({ query, pageSize: Math.min(1_000, skip + take) })) {
      if (seen++ < skip) continue;
      items.push(summaryOf(w));
      if (items.length >= take) break;
    }
  }
  return { items: fromEnd ? items.reverse() : items, page, pageSize, total, counts };
};

/**
 * The Temporal coordinator's side of the operator API (`operatorApi` in @saga/service serves it):
 * lists and counts from visibility (this coordinator's task queue; one count per status), one
 * saga's timeline from the workflow's `status` query, and operator actions as the workflow's
 * `operate` update, whose validator refuses what does not fit (409). Visibility has one order
 * (the running first, then by close time): that is `newest`; `oldest` and `stuck` (the unfinished
 * ones longest running, by start — no update time is indexed) read the list from its end.
 */
export const temporalOperator = (client: Client, taskQueue: string): SagaOperator => ({
  list: (q) =>
    listFromVisibility(client, taskQueue, q).catch((err: unknown) => {
      // A value the visibility query language refuses: the filter is data, but its parser has the last word.
      const cause = (err as Error).cause;
      const grpc = isGrpcServiceError(err) ? err : isGrpcServiceError(cause) ? cause : undefined;
      if (grpc && Number(grpc.code) === 3 /* INVALID_ARGUMENT */)
        throw new HttpError(400, `Temporal's visibility refused the filter: ${grpc.details}`);
      throw err;
    }),

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
