/**
 * The saga vocabulary every coordinator shares. No imports: the Temporal workflow bundle (a
 * sandbox) takes it as it is (`@saga/contracts/saga`); the operator API's schemas are in operator.ts.
 */
export const SAGA_STATUSES = [
  'RUNNING',
  'COMPENSATING',
  'COMPLETED',
  'REJECTED',
  'NEEDS_ATTENTION',
  'RESOLVED',
] as const;
export type SagaStatus = (typeof SAGA_STATUSES)[number];

/**
 * How a list is ordered: `oldest` first (by creation, the default), `newest` first, or `stuck`:
 * the sagas not finished that have not moved for longest first (by their last change; without a
 * `status`, only RUNNING, COMPENSATING and NEEDS_ATTENTION ones). Temporal's visibility has one
 * order of its own — the running first, then by close time — so there `newest` is that order and
 * `oldest` its reverse, and `stuck` is by start (it keeps no update time).
 */
export const SAGA_SORTS = ['oldest', 'newest', 'stuck'] as const;
export type SagaSort = (typeof SAGA_SORTS)[number];

/** A saga that is finished: nothing more happens to it. */
export const TERMINAL_STATUSES = ['COMPLETED', 'REJECTED', 'RESOLVED'] as const satisfies readonly SagaStatus[];
/** Whether a saga is finished. */
export const isTerminal = (status: SagaStatus) => (TERMINAL_STATUSES as readonly SagaStatus[]).includes(status);
/** A saga not finished: moving, or parked for a person (what a list's `stuck` order shows without a status). */
export const UNFINISHED_STATUSES = [
  'RUNNING',
  'COMPENSATING',
  'NEEDS_ATTENTION',
] as const satisfies readonly SagaStatus[];
/** A saga that still moves on its own (not finished, not parked for a person). */
export const ACTIVE_STATUSES = ['RUNNING', 'COMPENSATING'] as const satisfies readonly SagaStatus[];

/** A step's answer: done, or a business refusal with a reason (a technical error is never a reply). */
export const REPLY_OUTCOMES = ['SUCCESS', 'FAILURE'] as const;
export type ReplyOutcome = (typeof REPLY_OUTCOMES)[number];

/**
 * What an operator can ask of a saga: `retry` its current step (a fresh budget when parked),
 * `compensate` it now (before the pivot only), `resolve` a parked one by hand, with a note.
 */
export const OPERATOR_ACTIONS = ['retry', 'compensate', 'resolve'] as const;
export type OperatorAction = (typeof OPERATOR_ACTIONS)[number];

/** The retry policy both orchestrated coordinators give a step (the deciding budgets are settings: `sagaTiming`). */
export const STEP_RETRY = { initialBackoffMs: 200, factor: 2, maxBackoffMs: 5_000 } as const;
/** Steps that go on until done (past the pivot) and compensations back off further. */
export const PATIENT_MAX_BACKOFF_MS = 10_000;

/**
 * What one entry of a saga's history records — the same kinds for every coordinator, so that one
 * timeline (`timelineOf`) is built from any of them: the saga `started`; a step was `requested`
 * (a command sent, or — choreographed — the event it reacts to published); it `succeeded` or was
 * `refused` (a business answer); an `attempt-failed` (timed out, unreachable) and is retried; it
 * `gave-up` (its budget spent); was `cancelled` in flight (the deadline, an operator's compensate:
 * it may have acted, so it is undone); the `deadline` passed; the saga's `status` changed; an `operator`
 * acted; a message was `ignored` (a duplicate, a late reply); a `note` (anything else).
 */
export const HISTORY_KINDS = [
  'started',
  'requested',
  'succeeded',
  'refused',
  'attempt-failed',
  'gave-up',
  'cancelled',
  'deadline',
  'status',
  'operator',
  'ignored',
  'note',
] as const;
export type HistoryKind = (typeof HISTORY_KINDS)[number];

/**
 * Where a command, reply or event travelled: written to the coordinator's `outbox` table with the
 * saga's change and relayed to a Kafka topic by the relay; produced to or consumed from `kafka`
 * (the partition and offset where the coordinator recorded them); or an `http` request and its
 * response.
 */
export interface MessageRoute {
  transport: 'outbox' | 'kafka' | 'http';
  /** The Kafka topic, or the HTTP request (`POST http://127.0.0.1:3002/commands/ReserveStock`, or `response`). */
  to: string;
  partition: number | null;
  offset: string | null;
}

/** One history entry; null where it does not apply (or the coordinator does not know it). */
export interface HistoryLine {
  at: string;
  kind: HistoryKind;
  step: string | null;
  attempt: number | null;
  /** The saga's status after this entry. */
  status: SagaStatus | null;
  /** The reason, the operator's note, the error. */
  detail: string | null;
  commandId: string | null;
  /** The reply's or the event's message id. */
  messageId: string | null;
  /** Where the entry's command, reply or event travelled, when it is one (absent in older records). */
  via?: MessageRoute | null;
}

/** The order saga's forward steps in order; `approveOrder` is the pivot (ARCHITECTURE.md "The order saga"). */
export const ORDER_SAGA_STEPS = [
  'reserveStock',
  'authorizePayment',
  'approveOrder',
  'commitStock',
  'notifyConfirmed',
] as const;

/** The order saga's steps before the pivot and the step that undoes each (ARCHITECTURE.md "The order saga"). */
export const UNDO_OF: Readonly<Record<string, string>> = {
  reserveStock: 'releaseStock',
  authorizePayment: 'voidPayment',
};

/**
 * Why an operator action does not fit a saga now, or undefined — the rules of a coordinator on a
 * durable-execution engine (Temporal, DBOS): as the custom engine's, but for `retry` of a step in
 * flight, which the engine retries itself, so `retry` fits a parked saga only.
 */
export const operatorRefusal = (
  action: OperatorAction,
  status: SagaStatus,
  pastPivot: boolean,
  engine: string,
): string | undefined => {
  switch (action) {
    case 'retry':
      return status === 'NEEDS_ATTENTION'
        ? undefined
        : `cannot retry a saga that is ${status}: ${engine} retries a step in flight itself; retry fits a NEEDS_ATTENTION saga`;
    case 'compensate':
      return status === 'RUNNING' && !pastPivot
        ? undefined
        : `cannot compensate a saga that is ${status}${pastPivot ? ' and past its pivot (it only goes forward)' : ''}`;
    case 'resolve':
      return status === 'NEEDS_ATTENTION'
        ? undefined
        : `only a NEEDS_ATTENTION saga can be resolved; this one is ${status}`;
    default: {
      const unreachable: never = action;
      throw new Error(`unknown operator action ${String(unreachable)}`);
    }
  }
};
