import { defineSearchAttributeKey } from '@temporalio/common';
import type { SagaTiming as SharedTiming } from '@saga/config';
import type { CommandType, Line } from '@saga/contracts';
import type { HistoryLine, MessageRoute, ReplyOutcome, SagaStatus } from '@saga/contracts/saga';

/** Shared by the workflow, its activities, the worker and the starter (no IO here). */
export const TASK_QUEUE = 'order-saga';

/** Search attributes the Web UI lists and filters sagas by (registered on the dev server at start). */
export const OrderIdKey = defineSearchAttributeKey('OrderId', 'KEYWORD');
export const CustomerIdKey = defineSearchAttributeKey('CustomerId', 'KEYWORD');
export const SagaStatusKey = defineSearchAttributeKey('SagaStatus', 'KEYWORD');

/**
 * The same knobs as the custom orchestrator's definition, so both run the same budgets. A saga
 * started before `compensationAttempts` existed has none in its input (the step's budget applies).
 */
export type SagaTiming = Omit<SharedTiming, 'compensationAttempts'> &
  Partial<Pick<SharedTiming, 'compensationAttempts'>>;

export interface OrderSagaInput {
  orderId: string;
  customerId: string;
  lines: Line[];
  totalCents: number;
  timing: SagaTiming;
  /** Regular (default) or local activities for the steps. */
  activities?: 'regular' | 'local';
}

export type { SagaStatus };

export interface SagaView {
  status: SagaStatus;
  step: string | null;
  reason: string | null;
  /** What happened, step by step, typed (also in the Web UI's event history). */
  history: HistoryLine[];
  /** When the steps before the pivot run out of time. */
  deadlineAt?: string;
  /** One attempt's start-to-close timeout (when a step's timer fires). */
  stepTimeoutMs?: number;
}

/** One command to a service; the command id is `<sagaId>:<action>` as in the custom orchestrator. */
export interface CommandRequest {
  type: CommandType;
  commandId: string;
  sagaId: string;
  payload: Record<string, unknown>;
}

/** A reply: a business refusal is a value (not an error), so Temporal does not retry it. */
export interface CommandResult {
  outcome: ReplyOutcome;
  reason?: string;
  /** The activity attempt that got the answer, where the activity knows it (HTTP: it returns it). */
  attempt?: number;
  /** Kafka: the reply's message id and where it was consumed (its topic, partition and offset). */
  messageId?: string;
  via?: MessageRoute;
}

export interface SagaActivities {
  sendCommand(req: CommandRequest): Promise<CommandResult>;
}
