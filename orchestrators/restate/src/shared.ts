import type { SagaTiming } from '@saga/config';
import type { Command, HistoryLine, Line } from '@saga/contracts';
import type { MessageRoute, OperatorAction, ReplyOutcome, SagaStatus } from '@saga/contracts/saga';
import type { AttemptOutput, SagaRow } from '@saga/service';

/** What the starter gives a saga's workflow (workflow key = order id). */
export interface OrderSagaInput {
  orderId: string;
  customerId: string;
  lines: Line[];
  totalCents: number;
  timing: SagaTiming;
  /** Over Kafka, replies complete an awakeable per step (its id is the command id); absent: the `reply` handler's durable promise. */
  replies?: 'awakeable';
}

/** A reply from Kafka, handed to the saga by its `reply` handler; `at`: when the consumer read it. */
export interface ReplyMessage {
  commandId: string;
  messageId: string;
  outcome: ReplyOutcome;
  reason?: string;
  at: number;
  /** Where the reply was consumed (its topic, partition and offset). */
  via?: MessageRoute;
}

/** An operator's action as the `operate` handler takes it; `at`: when it was asked. */
export interface OperatorRequest {
  action: OperatorAction;
  note?: string;
  requestId: string;
  at: number;
}

/** How the `operate` handler answers: taken (the saga's status then), refused (why), or no such saga. */
export type OperatedAnswer = { status: SagaStatus; step: string | null } | { refused: string } | { missing: true };

/** Restate's awakeable ids (`sign_1…`): a reply to such a command id completes the awakeable at the ingress. */
export const isAwakeableId = (commandId: string) => commandId.startsWith('sign_');

/** The durable promise each command's reply resolves (its attempts share the command id: the first reply answers). */
export const replyPromise = (commandId: string) => `reply:${commandId}`;
/**
 * The promise that decides the pivot: an operator's compensate resolves it with the request id,
 * the saga at its pivot with `PIVOT` — Restate keeps the first, so one of the two wins.
 */
export const COMPENSATE = 'compensate';
export const PIVOT = 'pivot';
/** The promise a parked saga waits on for an operator's retry or resolve (one per time it parks). */
export const decisionPromise = (n: number) => `decision:${n}`;

/** What the workflow keeps in its state (key `saga`) for the operator API: its row, its timeline, what it waits for. */
export interface SagaState {
  row: SagaRow;
  createdAt: number;
  history: HistoryLine[];
  /** When the current wait ends (epoch ms), if it waits for a timer. */
  nextTimerAt: number | null;
  /** The decision promise a parked saga waits on. */
  parked: string | null;
}
export const STATE = 'saga';

/** What the workflow's steps do outside it; the coordinator gives the transport's. */
export interface SagaIO {
  /** One attempt of a command: HTTP posts and waits up to `timeoutMs`; Kafka sends and returns. */
  attempt(command: Command, timeoutMs: number): Promise<AttemptOutput>;
  /** Writes the saga's row of the list. */
  record(row: SagaRow): Promise<void>;
}
