import { describe, expect, it } from 'vitest';
import { timelineOf } from '@saga/contracts';
import {
  answerOf,
  CONFORMANCE,
  CONFORMANCE_TIMING,
  conformanceTimelineProblems,
  distinctCommands,
  type ConformanceCase,
} from '@saga/testkit/conformance';
import { TERMINAL } from './engine.ts';
import { given } from './given.ts';
import { orderSaga, type OrderSagaData } from './order-saga.ts';

const order: OrderSagaData = {
  orderId: 'saga-1',
  customerId: 'c1',
  lines: [{ sku: 'A', quantity: 2 }],
  totalCents: 500,
};

/**
 * Plays one row of the conformance table on the engine, in virtual time: each attempt in flight
 * gets the row's answer (a reply, a refusal, or nothing until its timer fires), backoffs and the
 * deadline pass on the engine's own timer, and the operator acts once when the row says.
 */
const play = (c: ConformanceCase) => {
  const s = given(orderSaga({ ...CONFORMANCE_TIMING, ...c.timing })).start(order);
  let healed = false;
  let operated = false;
  for (let guard = 0; guard < 10_000 && !TERMINAL.includes(s.state.status); guard++) {
    const cur = s.state.current;
    const type = cur && s.sent.findLast((x) => x.commandId === cur.commandId)!.type;
    const due =
      c.operator &&
      !operated &&
      (c.operator.when === 'parked'
        ? s.state.status === 'NEEDS_ATTENTION'
        : cur?.waiting === 'reply' && type === c.operator.when.inFlight);
    if (due) {
      s.operator(c.operator!.action, 'conformance');
      operated = true;
      healed = c.operator!.heals === true;
      continue;
    }
    if (!cur || s.state.status === 'NEEDS_ATTENTION') break;
    const answer = cur.waiting === 'backoff' ? undefined : healed ? 'ok' : answerOf(c, type!, cur.attempt);
    if (answer === 'ok') s.whenSuccess();
    else if (answer !== undefined && answer !== 'silent') s.whenFailure(answer.refuse);
    else if (s.last.wakeAt === null) break;
    else s.after(Math.max(0, s.last.wakeAt - s.now)); // nothing comes: the engine's next timer fires
  }
  const head = {
    id: 'saga-1',
    status: s.state.status,
    reason: s.state.reason,
    currentStep: s.state.current?.action ?? null,
    createdAt: new Date(0).toISOString(),
    updatedAt: null,
    deadlineAt: null,
    nextTimerAt: null,
    coordinator: {},
  };
  return {
    status: s.state.status,
    reason: s.state.reason,
    commands: distinctCommands(s.sent),
    timeline: timelineOf(head, s.history),
  };
};

describe('the conformance table on the custom engine (issue 15; the Temporal workflow runs it in workflows.int.test.ts)', () => {
  it.each(CONFORMANCE.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const r = play(c);
    expect(r.commands).toEqual(c.expect.commands);
    expect(conformanceTimelineProblems(r.timeline, c)).toEqual([]);
    expect(r.status).toBe(c.expect.status);
    if (c.expect.reason) expect(r.reason).toBe(c.expect.reason);
  });

  it('starts once for a duplicate start: nothing sent twice', () => {
    const s = given(orderSaga(CONFORMANCE_TIMING)).start(order).start(order).expectNothingSent();
    expect(s.commandsOfType('ReserveStock')).toHaveLength(1);
  });

  it('ignores a late reply to an attempt it gave up on: the retry is still awaited', () => {
    const s = given(orderSaga(CONFORMANCE_TIMING)).start(order).whenSuccess().expectSent('AuthorizePayment');
    const id = s.state.current!.commandId;
    s.untilResent().expectSent('AuthorizePayment'); // attempt 1 timed out, attempt 2 sent
    s.whenSuccess(id).expectSent('ApproveOrder'); // one reply for the command id: taken once
    s.whenSuccess(id).expectNothingSent(); // the same command id answered again: ignored
    expect(s.state.current!.action).toBe('approveOrder');
  });
});
