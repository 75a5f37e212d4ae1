import { expect } from 'vitest';
import type { CommandType, HistoryLine } from '@saga/contracts';
import type { SagaDefinition } from './definition.ts';
import {
  SagaEngine,
  type OutgoingCommand,
  type SagaEvent,
  type SagaState,
  type SagaStatus,
  type Transition,
} from './engine.ts';

/**
 * Given/expect chains for saga definitions, with no IO, so a definition's rules are tested without servers:
 *   given(orderSaga(timing)).start(data).expectSent('ReserveStock').whenFailure('OUT_OF_STOCK')
 *     .expectSent('RejectOrder')…
 * Time is virtual: `after(ms)` moves the clock and fires the saga's timer.
 */
export const given = <D>(def: SagaDefinition<D>, sagaId = 'saga-1') => new Scenario(new SagaEngine(def), sagaId);

export class Scenario<D> {
  now = 1_000_000;
  random = 0;
  state: SagaState<D>;
  last!: Transition<D>;
  /** Every command sent so far, in order. */
  readonly sent: OutgoingCommand[] = [];
  /** Every history entry so far, typed and timed as the store keeps them (the timeline's input). */
  readonly history: HistoryLine[] = [];
  private replies = 0;

  constructor(
    readonly engine: SagaEngine<D>,
    sagaId: string,
  ) {
    this.state = engine.initial(sagaId, {} as D);
  }

  on(event: SagaEvent<D>) {
    this.last = this.engine.transition(this.state, event, { now: this.now, random: this.random });
    this.state = this.last.state;
    this.sent.push(...this.last.send);
    const at = new Date(this.now).toISOString();
    for (const e of this.last.history) {
      this.history.push({
        at,
        kind: e.kind,
        step: e.action ?? null,
        attempt: e.attempt ?? null,
        status: this.state.status,
        detail: e.detail ?? null,
        commandId: e.commandId ?? null,
        messageId: e.replyId ?? null,
      });
    }
    return this;
  }

  start(data: D) {
    return this.on({ type: 'start', data });
  }

  /** A reply to the command in flight (or to `commandId`). */
  whenSuccess(commandId = this.awaited()) {
    return this.on({ type: 'reply', commandId, replyId: `r${++this.replies}`, outcome: 'SUCCESS' });
  }

  whenFailure(reason: string, commandId = this.awaited()) {
    return this.on({ type: 'reply', commandId, replyId: `r${++this.replies}`, outcome: 'FAILURE', reason });
  }

  /** The attempt in flight (or attempt `attempt` of it) failed without a reply. */
  whenAttemptFails(error = 'HTTP 503', attempt?: number) {
    return this.on({
      type: 'attempt-failed',
      commandId: this.awaited(),
      ...(attempt === undefined ? {} : { attempt }),
      error,
    });
  }

  /** Moves the clock and delivers a timer tick (the engine decides what, if anything, is due). */
  after(ms: number) {
    this.now += ms;
    return this.on({ type: 'tick' });
  }

  /** Like `after`, with the attempt in flight still unsent (its command waits in the outbox). */
  afterUnsent(ms: number) {
    this.now += ms;
    return this.on({ type: 'tick', unsent: true });
  }

  /** Lets every pending timer fire until the next command goes out (or `limitMs` passes). */
  untilResent(limitMs = 600_000) {
    const before = this.sent.length;
    const end = this.now + limitMs;
    while (this.sent.length === before && this.last.wakeAt !== null && this.last.wakeAt <= end) {
      this.now = this.last.wakeAt;
      this.on({ type: 'tick' });
    }
    return this;
  }

  operator(action: 'retry' | 'compensate' | 'resolve', note?: string) {
    return this.on({ type: 'operator', action, ...(note ? { note } : {}) });
  }

  expectSent(type: CommandType, payload?: Record<string, unknown>) {
    expect(
      this.last.send.map((c) => c.type),
      `sent by the last transition`,
    ).toEqual([type]);
    if (payload) expect(this.last.send[0]!.payload).toMatchObject(payload);
    return this;
  }

  expectNothingSent() {
    expect(this.last.send).toEqual([]);
    return this;
  }

  expectStatus(status: SagaStatus) {
    expect(this.state.status).toBe(status);
    return this;
  }

  expectRefused(pattern: RegExp) {
    expect(this.last.refused).toMatch(pattern);
    return this;
  }

  /** Compensated and closed: REJECTED, with the commands the rollback sent, in order. */
  expectRolledBack(...compensations: CommandType[]) {
    const tail = this.sent.map((c) => c.type).filter((t) => ['ReleaseStock', 'VoidPayment'].includes(t));
    expect(tail).toEqual(compensations);
    return this.expectStatus('REJECTED');
  }

  commandsOfType(type: CommandType) {
    return this.sent.filter((c) => c.type === type);
  }

  private awaited() {
    const id = this.state.current?.commandId;
    if (!id) throw new Error('no command is awaited');
    return id;
  }
}
