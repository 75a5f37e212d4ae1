import {
  TERMINAL_STATUSES,
  type CommandType,
  type HistoryKind,
  type MessageRoute,
  type OperatorAction,
  type ReplyOutcome,
  type SagaStatus,
} from '@saga/contracts';

/** The saga engine's data: its state, the events it takes, what a transition gives back (engine.ts). */

export type { SagaStatus };
export const TERMINAL: readonly SagaStatus[] = TERMINAL_STATUSES;
export type Phase = 'forward' | 'compensation' | 'closing';

export interface CurrentAction {
  action: string;
  phase: Phase;
  /** The same for every attempt, so the service deduplicates. */
  commandId: string;
  attempt: number;
  /** Waiting for the reply of the attempt in flight, or for the backoff before the next one. */
  waiting: 'reply' | 'backoff';
  dueAt: number;
}

export interface SagaState<D> {
  sagaId: string;
  status: SagaStatus;
  data: D;
  current: CurrentAction | null;
  /** Actions still to run after the current one. */
  queue: { action: string; phase: Phase }[];
  /** Forward actions that succeeded: what a compensation has to undo. */
  done: string[];
  /** Set when the pivot is first sent: from then on only forward, no deadline. */
  pastPivot: boolean;
  deadlineAt: number;
  /** Why the saga compensates (the business reason its RejectOrder carries). */
  reason: string | null;
  /** Why it waits for a person while NEEDS_ATTENTION (absent in sagas stored before it existed). */
  parked?: string | null;
  note: string | null;
}

export type SagaEvent<D> =
  | { type: 'start'; data: D }
  /** `via`: where the reply came from (its Kafka partition and offset, or the HTTP response), for the history. */
  | { type: 'reply'; commandId: string; replyId: string; outcome: ReplyOutcome; reason?: string; via?: MessageRoute }
  /**
   * An attempt failed without a reply (HTTP 5xx, unreachable until its timeout). `attempt` names
   * which one: a failure that arrives after its own attempt timed out must not fail the next.
   */
  | { type: 'attempt-failed'; commandId: string; attempt?: number; error: string }
  /**
   * A timer row came due: the engine works out which (step timeout, backoff, deadline).
   * `unsent`: the attempt in flight has not left yet (Kafka: its command still waits in the
   * outbox, the broker is down) — its timer restarts instead of failing it (ADR 0008).
   */
  | { type: 'tick'; unsent?: boolean }
  | { type: 'operator'; action: OperatorAction; note?: string };

export interface Context {
  now: number;
  random: number;
}

export interface OutgoingCommand {
  commandId: string;
  /** Which attempt of the command this is (1, 2, …); the command id stays the same. */
  attempt: number;
  sagaId: string;
  type: CommandType;
  payload: Record<string, unknown>;
}

/** One typed history entry (contracts `HistoryLine` without its time and status, which the store adds). */
export interface HistoryEntry {
  kind: HistoryKind;
  action?: string;
  attempt?: number;
  commandId?: string;
  replyId?: string;
  detail?: string;
  /** Where its command or reply travelled. */
  via?: MessageRoute;
}

export interface Transition<D> {
  state: SagaState<D>;
  send: OutgoingCommand[];
  /** When the saga's timer row should next fire; null when nothing is pending. */
  wakeAt: number | null;
  history: HistoryEntry[];
  /** Set when the event does not fit the state (operator actions): nothing changed. */
  refused?: string;
}

/** Timers and failed attempts move only a saga that is running or compensating. */
export const active = (s: SagaState<unknown>) => s.status === 'RUNNING' || s.status === 'COMPENSATING';

/** The deadline bounds a running saga until its pivot is sent. */
export const deadlineActive = (s: SagaState<unknown>) => s.status === 'RUNNING' && !s.pastPivot;

/** When the saga's timer should next fire (step timeout, backoff, deadline); null when nothing is pending. */
export const wakeAt = (s: SagaState<unknown>): number | null => {
  if (TERMINAL.includes(s.status) || s.status === 'NEEDS_ATTENTION') return null;
  const at = Math.min(s.current?.dueAt ?? Infinity, deadlineActive(s) ? s.deadlineAt : Infinity);
  return Number.isFinite(at) ? at : null;
};
