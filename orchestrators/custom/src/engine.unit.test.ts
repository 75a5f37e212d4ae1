import { describe, expect, it } from 'vitest';
import { given } from './given.ts';
import { orderSaga, type OrderSagaData } from './order-saga.ts';

const timing = { stepTimeoutMs: 1_000, stepAttempts: 3, compensationAttempts: 5, deadlineMs: 20_000 };
const saga = orderSaga(timing);
const order: OrderSagaData = {
  orderId: 'saga-1',
  customerId: 'c1',
  lines: [{ sku: 'A', quantity: 2 }],
  totalCents: 500,
};
const start = () => given(saga).start(order);

describe('order saga engine', () => {
  it('happy path: reserve, authorize, approve (pivot), commit, notify confirmed', () => {
    start()
      .expectSent('ReserveStock', { orderId: 'saga-1', lines: order.lines })
      .whenSuccess()
      .expectSent('AuthorizePayment', { customerId: 'c1', amountCents: 500 })
      .whenSuccess()
      .expectSent('ApproveOrder')
      .whenSuccess()
      .expectSent('CommitStock')
      .whenSuccess()
      .expectSent('SendNotification', { kind: 'confirmed' })
      .whenSuccess()
      .expectNothingSent()
      .expectStatus('COMPLETED');
  });

  it('out of stock: the first step refuses, nothing to undo, order rejected and customer told', () => {
    const s = start()
      .whenFailure('OUT_OF_STOCK')
      .expectSent('RejectOrder', { reason: 'OUT_OF_STOCK' })
      .whenSuccess()
      .expectSent('SendNotification', { kind: 'rejected' })
      .whenSuccess()
      .expectRolledBack();
    expect(s.commandsOfType('ReleaseStock')).toHaveLength(0);
  });

  it('payment declined: release the stock, reject, notify', () => {
    start()
      .whenSuccess()
      .whenFailure('INSUFFICIENT_CREDIT')
      .expectSent('ReleaseStock')
      .whenSuccess()
      .expectSent('RejectOrder', { reason: 'INSUFFICIENT_CREDIT' })
      .whenSuccess()
      .expectSent('SendNotification', { kind: 'rejected' })
      .whenSuccess()
      .expectRolledBack('ReleaseStock');
  });

  it('approve fails technically: retried with the same command id until it goes through (past the pivot, no compensation)', () => {
    const s = start().whenSuccess().whenSuccess().expectSent('ApproveOrder');
    const id = s.state.current!.commandId;
    for (let i = 0; i < 6; i++) s.whenAttemptFails('HTTP 503').untilResent().expectSent('ApproveOrder');
    expect(s.commandsOfType('ApproveOrder').every((c) => c.commandId === id)).toBe(true);
    expect(s.state.current!.attempt).toBe(7);
    s.whenSuccess().expectSent('CommitStock').whenSuccess().whenSuccess().expectStatus('COMPLETED');
    expect(s.commandsOfType('VoidPayment')).toHaveLength(0);
  });

  it('notification fails: retried (here 10 timeouts) and the saga still completes', () => {
    const s = start().whenSuccess().whenSuccess().whenSuccess().whenSuccess().expectSent('SendNotification');
    for (let i = 0; i < 10; i++) s.untilResent().expectSent('SendNotification');
    s.whenSuccess().expectStatus('COMPLETED');
    expect(s.commandsOfType('SendNotification')).toHaveLength(11);
  });

  it('step timeout: retried with the same command id after a backoff, then budget exhausted: compensate what may have acted', () => {
    const s = start().whenSuccess().expectSent('AuthorizePayment');
    const id = s.state.current!.commandId;
    s.after(999).expectNothingSent();
    s.after(1).expectNothingSent(); // timed out: backing off
    expect(s.state.current).toMatchObject({ waiting: 'backoff', attempt: 1 });
    s.untilResent().expectSent('AuthorizePayment').untilResent().expectSent('AuthorizePayment');
    expect(s.commandsOfType('AuthorizePayment').map((c) => c.commandId)).toEqual([id, id, id]);
    // The third attempt times out too: budget (3) exhausted. The payment may have been held
    // without our hearing of it, so it is voided, then the stock released.
    s.after(1_000).expectSent('VoidPayment');
    expect(s.state).toMatchObject({ status: 'COMPENSATING', reason: 'RETRIES_EXHAUSTED:authorizePayment' });
    s.whenSuccess()
      .expectSent('ReleaseStock')
      .whenSuccess()
      .expectSent('RejectOrder')
      .whenSuccess()
      .whenSuccess()
      .expectRolledBack('VoidPayment', 'ReleaseStock');
  });

  it('backoff grows and is jittered', () => {
    const s = start();
    s.random = 0;
    s.after(1_000);
    const first = s.state.current!.dueAt - s.now;
    s.untilResent().after(1_000);
    const second = s.state.current!.dueAt - s.now;
    expect(second).toBe(first * 2);
    const j = start();
    j.random = 0.999;
    j.after(1_000);
    expect(j.state.current!.dueAt - j.now).toBeLessThan(first);
  });

  it('saga deadline passed before the pivot: compensate, including the step in flight', () => {
    const s = start().whenSuccess().expectSent('AuthorizePayment');
    // One tick just before the deadline: the first attempt has timed out (backoff), budget left.
    s.now += 19_999;
    s.on({ type: 'tick' }).expectNothingSent();
    s.now += 1;
    s.on({ type: 'tick' }).expectSent('VoidPayment');
    expect(s.state.reason).toBe('DEADLINE_EXCEEDED');
    s.whenSuccess()
      .expectSent('ReleaseStock')
      .whenSuccess()
      .whenSuccess()
      .whenSuccess()
      .expectRolledBack('VoidPayment', 'ReleaseStock');
  });

  it('the deadline no longer applies once the pivot is sent', () => {
    const s = start().whenSuccess().whenSuccess().expectSent('ApproveOrder');
    s.now += 60_000;
    s.on({ type: 'tick' }).expectNothingSent();
    expect(s.state).toMatchObject({ status: 'RUNNING', current: { action: 'approveOrder', waiting: 'backoff' } });
    s.untilResent().expectSent('ApproveOrder');
  });

  it('compensation keeps failing: NEEDS_ATTENTION, nothing more sent, then an operator retry or resolve', () => {
    const s = start().whenSuccess().whenFailure('INSUFFICIENT_CREDIT').expectSent('ReleaseStock');
    for (let i = 0; i < 4; i++) s.untilResent().expectStatus('COMPENSATING');
    s.after(1_000).expectNothingSent().expectStatus('NEEDS_ATTENTION');
    // Silence gets the compensation's own budget (5 here), not the step's (3).
    expect(s.commandsOfType('ReleaseStock')).toHaveLength(timing.compensationAttempts);
    expect(s.last.wakeAt).toBeNull();
    s.after(3_600_000).expectNothingSent().expectStatus('NEEDS_ATTENTION');
    s.operator('compensate').expectRefused(/cannot compensate a saga that is NEEDS_ATTENTION/);
    s.operator('retry', 'inventory fixed').expectSent('ReleaseStock').expectStatus('COMPENSATING');
    expect(s.state.current!.attempt).toBe(1);
    s.whenSuccess()
      .whenSuccess()
      .whenSuccess()
      .expectRolledBack(...Array<'ReleaseStock'>(timing.compensationAttempts + 1).fill('ReleaseStock'));
  });

  it("a compensation silent past a step's budget still finishes when its reply comes (a broker outage parks nothing)", () => {
    const s = start().whenSuccess().whenFailure('INSUFFICIENT_CREDIT').expectSent('ReleaseStock');
    for (let i = 0; i < timing.stepAttempts; i++)
      s.untilResent().expectSent('ReleaseStock').expectStatus('COMPENSATING');
    s.whenSuccess().expectSent('RejectOrder').whenSuccess().whenSuccess().expectStatus('REJECTED');
  });

  it('a compensation refused parks at once, whatever its budget', () => {
    start()
      .whenSuccess()
      .whenFailure('INSUFFICIENT_CREDIT')
      .whenFailure('SOMETHING_ODD')
      .expectNothingSent()
      .expectStatus('NEEDS_ATTENTION');
  });

  it('an operator resolves a NEEDS_ATTENTION saga with a note', () => {
    const s = start()
      .whenSuccess()
      .whenFailure('INSUFFICIENT_CREDIT')
      .whenFailure('SOMETHING_ODD')
      .expectStatus('NEEDS_ATTENTION');
    s.operator('resolve', 'released by hand').expectStatus('RESOLVED');
    expect(s.state.note).toBe('released by hand');
    s.operator('resolve').expectRefused(/only a NEEDS_ATTENTION saga can be resolved/);
  });

  it('an operator compensates a running saga before its pivot, but not after', () => {
    start().whenSuccess().operator('compensate').expectSent('VoidPayment').expectStatus('COMPENSATING');
    start()
      .whenSuccess()
      .whenSuccess()
      .operator('compensate')
      .expectRefused(/past its pivot/);
  });

  it('an operator retry re-sends the current step at once, same command id', () => {
    const s = start();
    const id = s.state.current!.commandId;
    s.operator('retry').expectSent('ReserveStock');
    expect(s.last.send[0]!.commandId).toBe(id);
  });

  it('a duplicate reply is ignored', () => {
    const s = start();
    const reserveId = s.state.current!.commandId;
    s.whenSuccess().expectSent('AuthorizePayment');
    s.whenSuccess(reserveId).expectNothingSent();
    expect(s.state.current!.action).toBe('authorizePayment');
    expect(s.last.history[0]!.kind).toBe('ignored');
    expect(s.last.history[0]!.detail).toMatch(/SUCCESS reply/);
  });

  it('an attempt whose command has not left (broker down) does not use up the budget; the deadline still holds', () => {
    const s = start().whenSuccess().expectSent('AuthorizePayment');
    // Kafka is down for 10 step timeouts: each tick finds the command still in the outbox.
    for (let i = 0; i < 10; i++) s.afterUnsent(1_000).expectNothingSent();
    expect(s.state.current).toMatchObject({ action: 'authorizePayment', attempt: 1, waiting: 'reply' });
    expect(s.state.status).toBe('RUNNING');
    // Back: the reply to the first attempt arrives and the saga goes on.
    s.whenSuccess().expectSent('ApproveOrder');
    // Without the outbox's word, the same wait exhausts the budget (3 attempts).
    const t = start().whenSuccess().after(1_000).untilResent().after(1_000).untilResent().after(1_000);
    expect(t.state).toMatchObject({ status: 'COMPENSATING', reason: 'RETRIES_EXHAUSTED:authorizePayment' });
    // And an outage longer than the saga's deadline still ends it.
    const u = start().whenSuccess();
    for (let i = 0; i < 25; i++) u.afterUnsent(1_000);
    expect(u.state).toMatchObject({ status: 'COMPENSATING', reason: 'DEADLINE_EXCEEDED' });
  });

  it('a late reply to an attempt that already timed out counts once: the retry does not act twice', () => {
    const s = start();
    s.after(1_000).untilResent().expectSent('ReserveStock');
    // The first attempt's reply arrives late, while the second attempt is in flight.
    s.whenSuccess().expectSent('AuthorizePayment');
    // The service deduplicated the second attempt; its (identical) reply is a duplicate now.
    s.whenSuccess(s.commandsOfType('ReserveStock')[0]!.commandId).expectNothingSent();
    expect(s.state.done).toEqual(['reserveStock']);
  });

  it('a failure of an attempt that already timed out does not fail the attempt after it', () => {
    const s = start();
    s.after(1_000).untilResent().expectSent('ReserveStock');
    expect(s.state.current).toMatchObject({ waiting: 'reply', attempt: 2 });
    // Attempt 1's HTTP request gives up only now, while attempt 2 is in flight.
    s.whenAttemptFails('connect ECONNREFUSED', 1).expectNothingSent();
    expect(s.state.current).toMatchObject({ waiting: 'reply', attempt: 2 });
    expect(s.last.history[0]!.kind).toBe('ignored');
    expect(s.last.history[0]!.detail).toMatch(/failed attempt/);
    s.whenAttemptFails('HTTP 503', 2).expectNothingSent();
    expect(s.state.current).toMatchObject({ waiting: 'backoff', attempt: 2 });
  });

  it('a late SUCCESS for an action already being compensated is ignored (its compensation covers it)', () => {
    const s = start().whenSuccess();
    const payId = s.state.current!.commandId;
    s.untilResent().untilResent().after(1_000).expectSent('VoidPayment');
    s.whenSuccess(payId).expectNothingSent();
    expect(s.state.current!.action).toBe('voidPayment');
  });

  it('a second start is ignored, and a finished saga ignores timers and replies', () => {
    const s = start();
    s.start(order).expectNothingSent();
    const done = given(saga)
      .start(order)
      .whenFailure('OUT_OF_STOCK')
      .whenSuccess()
      .whenSuccess()
      .expectStatus('REJECTED');
    done.after(100_000).expectNothingSent();
    done.whenSuccess('saga-1:rejectOrder').expectNothingSent().expectStatus('REJECTED');
  });
});
