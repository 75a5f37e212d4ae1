import type { CommandOf, CommandType } from '@saga/contracts';

/** How often and how patiently an action is retried when no reply comes (or the call fails). */
export interface RetryPolicy {
  /** Attempts in all, the first included; `Infinity` = until done. */
  maxAttempts: number;
  initialBackoffMs: number;
  factor: number;
  maxBackoffMs: number;
  /** 0..1: a backoff is shortened by up to this share at random, so retries do not align. */
  jitter: number;
}

/** One command the saga sends, as data: what to send, how long to wait, how to retry. */
export interface ActionDef<D, T extends CommandType = CommandType> {
  name: string;
  command: T;
  payload: (data: D, reason?: string) => CommandOf<T>['payload'];
  timeoutMs: number;
  retry: RetryPolicy;
  /** After the pivot is sent the saga only goes forward: no deadline, no compensation. */
  pivot?: boolean;
  /** The action that undoes this one, declared with it; run in reverse order of the steps it undoes. */
  undo?: ActionDef<D>;
}

export interface SagaDefinition<D> {
  name: string;
  /** Forward actions, in order. */
  forward: ActionDef<D>[];
  /** Run after the compensations: closing the saga as rejected. */
  closing: ActionDef<D>[];
  /** From start until the pivot is sent; past it the saga compensates. */
  deadlineMs: number;
}

export const action = <D, T extends CommandType>(def: ActionDef<D, T>): ActionDef<D> => def as unknown as ActionDef<D>;

/** The backoff before attempt `attempt + 1`, jittered with `random` in [0, 1). */
export const backoffMs = (p: RetryPolicy, attempt: number, random: number): number => {
  const base = Math.min(p.maxBackoffMs, p.initialBackoffMs * p.factor ** Math.max(0, attempt - 1));
  return Math.round(base * (1 - p.jitter * random));
};
