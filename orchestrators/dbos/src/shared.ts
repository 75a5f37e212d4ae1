import type { SagaTiming } from '@saga/config';
import type { Command, Line } from '@saga/contracts';
import type { MessageRoute, OperatorAction, ReplyOutcome, SagaStatus } from '@saga/contracts/saga';
import type { AttemptOutput, SagaRow } from '@saga/service';

export type { AttemptOutput, SagaRow };

/** What the starter gives a saga's workflow (workflow id = order id). */
export interface OrderSagaInput {
  orderId: string;
  customerId: string;
  lines: Line[];
  totalCents: number;
  timing: SagaTiming;
}

/** A message to a saga's workflow, on its one topic (`INBOX`): a reply from Kafka, or an operator's action. */
export type InboxMessage =
  /** `via`: the reply's topic, partition and offset (absent in a message sent before it was kept). */
  | { type: 'reply'; commandId: string; messageId: string; outcome: ReplyOutcome; reason?: string; via?: MessageRoute }
  | { type: 'operator'; action: OperatorAction; note?: string; requestId: string };

export const INBOX = 'inbox';
/** The name the step that writes the saga's row is recorded under (the timeline reads it back). */
export const STATUS_STEP = 'status';
/** The step that takes the pivot in the saga's row (its output: a compensate asked first, or null). */
export const PIVOT_STEP = 'pivot';
/** The event a workflow sets to answer an operator's request (`operated:<requestId>`). */
export const operatedKey = (requestId: string) => `operated:${requestId}`;
export interface OperatedAnswer {
  refused?: string;
  status: SagaStatus;
  step: string | null;
}

/** What the workflow's steps do outside it; the coordinator gives the transport's. */
export interface SagaIO {
  /** One attempt of a command: HTTP posts and waits up to `timeoutMs`; Kafka sends and returns. */
  attempt(command: Command, timeoutMs: number): Promise<AttemptOutput>;
  /** Writes the saga's row of the list. */
  record(row: SagaRow): Promise<void>;
  /**
   * Takes the pivot in the saga's row, unless an operator asked to compensate first: then the
   * request's id, else null (the saga is past its pivot).
   */
  pivot(id: string): Promise<string | null>;
}
