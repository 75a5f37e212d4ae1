import type { Producer } from 'kafkajs';
import { commandTopic, type Command, type CommandType, type Line } from '@saga/contracts';
import {
  PATIENT_MAX_BACKOFF_MS,
  STEP_RETRY,
  type MessageRoute,
  type ReplyOutcome,
  type SagaStatus,
} from '@saga/contracts/saga';
import { postCommand } from '@saga/http';
import type { Queryable } from '@saga/postgres';
import type { SagaColumns } from './operator-api.ts';

/**
 * What the durable-execution coordinators (DBOS, Restate: ADR 0019, 0020) share: one attempt of a
 * command over the transport as a recorded step's output, and the saga's row of their list.
 */

/** What one attempt of a step came to; the step's recorded output. */
export type AttemptOutput =
  /** HTTP: the service answered. */
  | { kind: 'answer'; outcome: ReplyOutcome; reason?: string }
  /** HTTP: no answer within the attempt's time (it may have acted). */
  | { kind: 'no-answer'; error: string; at: number }
  /**
   * Kafka: the command is on its topic (`via`: where the broker put it — absent in an output
   * recorded before it was kept); the reply comes back as a message to the saga.
   */
  | { kind: 'sent'; at: number; via?: MessageRoute }
  /** The saga's deadline passed before the attempt began: nothing was sent. */
  | { kind: 'expired' };

export interface CommandDeps {
  transport: 'kafka' | 'http';
  /** Base URL of the service that handles a command type (HTTP transport). */
  urlFor: (type: Command['type']) => string;
  /** Kafka transport: where commands go. */
  producer: Producer;
  topic: (t: string) => string;
}

/** One attempt of `command`: HTTP posts and waits up to `timeoutMs`; Kafka sends and returns. */
export const attemptCommand =
  (d: CommandDeps) =>
  async (command: Command, timeoutMs: number): Promise<AttemptOutput> => {
    if (d.transport === 'http') {
      const r = await postCommand(d.urlFor(command.type), command, timeoutMs);
      if (r.kind === 'failed') return { kind: 'no-answer', error: `${command.type}: ${r.error}`, at: Date.now() };
      return { kind: 'answer', outcome: r.outcome, ...(r.reason ? { reason: r.reason } : {}) };
    }
    const topic = d.topic(commandTopic(command.type));
    const [put] = await d.producer.send({ topic, messages: [{ key: command.sagaId, value: JSON.stringify(command) }] });
    const via: MessageRoute = {
      transport: 'kafka',
      to: topic,
      partition: put?.partition ?? null,
      offset: put?.baseOffset ?? null,
    };
    return { kind: 'sent', at: Date.now(), via };
  };

/** The columns of a durable coordinator's saga list (`dbos_sagas`, `restate_sagas`) that `pageOfSagas` reads. */
export const DURABLE_SAGA_COLUMNS: SagaColumns = { step: 'current_step', reason: 'reason', customer: 'customer_id' };

/** A row of a durable coordinator's saga list, written by its workflow when the status changes. */
export interface SagaRow {
  id: string;
  status: SagaStatus;
  step: string | null;
  reason: string | null;
  pastPivot: boolean;
  deadlineAt: number;
  /** The order's customer (absent in a row recorded before it was kept). */
  customerId?: string;
}

/** Writes `row` into `table` (`id`, `status`, `current_step`, `reason`, `past_pivot`, `deadline_at`, `customer_id`, `updated_at`). */
export const recordSagaRow = async (db: Queryable, table: string, row: SagaRow) => {
  await db.query(
    `INSERT INTO ${table} (id, status, current_step, reason, past_pivot, deadline_at, customer_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (id) DO UPDATE SET status = $2, current_step = $3, reason = $4, past_pivot = $5,
       customer_id = coalesce($7, ${table}.customer_id), updated_at = now()`,
    [row.id, row.status, row.step, row.reason, row.pastPivot, new Date(row.deadlineAt), row.customerId ?? null],
  );
};

export type StepCommand = { action: string; type: CommandType; payload: Record<string, unknown> };

/**
 * The order saga's commands as the durable coordinators' workflows send them (the custom
 * definition's steps, orchestrators/custom/src/order-saga.ts): each forward step before the pivot
 * with its undo, the pivot, the steps after it, and the rejection.
 */
export const orderSagaCommands = (o: { orderId: string; customerId: string; lines: Line[]; totalCents: number }) => {
  const { orderId, customerId } = o;
  const cmd = (action: string, type: CommandType, payload: Record<string, unknown> = { orderId }): StepCommand => ({
    action,
    type,
    payload,
  });
  return {
    beforePivot: [
      {
        step: cmd('reserveStock', 'ReserveStock', { orderId, lines: o.lines }),
        undo: cmd('releaseStock', 'ReleaseStock'),
      },
      {
        step: cmd('authorizePayment', 'AuthorizePayment', { orderId, customerId, amountCents: o.totalCents }),
        undo: cmd('voidPayment', 'VoidPayment'),
      },
    ],
    pivot: cmd('approveOrder', 'ApproveOrder'),
    afterPivot: [
      cmd('commitStock', 'CommitStock'),
      cmd('notifyConfirmed', 'SendNotification', { orderId, customerId, kind: 'confirmed' }),
    ],
    rejection: (reason: string) => [
      cmd('rejectOrder', 'RejectOrder', { orderId, reason }),
      cmd('notifyRejected', 'SendNotification', { orderId, customerId, kind: 'rejected' }),
    ],
  };
};

/** How a step ended: an answer, or none — its attempts ran out, the deadline passed, an operator compensated. */
export type StepEnd =
  | { kind: 'answer'; outcome: ReplyOutcome; reason?: string }
  /** `tried`: an attempt was made, so the step may have acted. */
  | { kind: 'gave-up' | 'deadline' | 'cancelled'; tried: boolean };

/** The saga's reason when a step before the pivot ended without success. */
export const compensationReason = (e: StepEnd, action: string) =>
  e.kind === 'answer'
    ? (e.reason ?? 'FAILURE')
    : e.kind === 'deadline'
      ? 'DEADLINE_EXCEEDED'
      : e.kind === 'cancelled'
        ? 'OPERATOR_COMPENSATED'
        : `RETRIES_EXHAUSTED:${action}`;

/** A step's attempt budgets from the saga's timing: bounded before the pivot, until answered after, the compensations'. */
export interface StepBudget {
  attempts: number;
  maxBackoffMs: number;
}
export const stepBudgets = (t: {
  stepAttempts: number;
  compensationAttempts: number;
}): Record<'bounded' | 'untilDone' | 'compensating', StepBudget> => ({
  bounded: { attempts: t.stepAttempts, maxBackoffMs: STEP_RETRY.maxBackoffMs },
  untilDone: { attempts: Infinity, maxBackoffMs: PATIENT_MAX_BACKOFF_MS },
  compensating: { attempts: t.compensationAttempts, maxBackoffMs: PATIENT_MAX_BACKOFF_MS },
});

/** The wait before attempt `attempt + 1`. */
export const backoffAfter = (attempt: number, budget: StepBudget) =>
  Math.min(STEP_RETRY.initialBackoffMs * STEP_RETRY.factor ** (attempt - 1), budget.maxBackoffMs);
