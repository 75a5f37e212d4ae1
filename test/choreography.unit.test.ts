import { describe, expect, it } from 'vitest';
import { STEP_RETRY, type CommandType, type DomainEvent, type Reply } from '@saga/contracts';
import { inventoryService } from '@saga/inventory';
import { notificationService } from '@saga/notification';
import { orderService } from '@saga/order';
import { apply, derive, factOf, TRIGGER_OF, type ViewState } from '@saga/order/choreography';
import { paymentService } from '@saga/payment';
import type { Reaction } from '@saga/service';
import {
  answerOf,
  choreographed,
  CONFORMANCE,
  CONFORMANCE_TIMING,
  distinctCommands,
  type ConformanceCase,
} from '@saga/testkit/conformance';

const REACTIONS: Reaction[] = [
  orderService,
  inventoryService,
  paymentService,
  notificationService({ deliver: async () => undefined }),
].flatMap((s) => s.choreography?.reactions ?? []);

/**
 * Plays one row of the conformance table on the services' real reactions and the order service's
 * real view, in virtual time: each command attempt gets the row's answer (a transient failure
 * for 'silent'), the reactions' retry budgets and backoff, the keeper's deadline, the operator
 * once when the row says. The services' decisions are reduced to the order's verdict race.
 */
const play = (c: ConformanceCase) => {
  const timing = { ...CONFORMANCE_TIMING, ...c.timing };
  const tasks: { at: number; seq: number; run: () => void }[] = [];
  let now = 0;
  let seq = 0;
  const at = (delay: number, run: () => void) => tasks.push({ at: now + delay, seq: seq++, run });
  let view: ViewState = { facts: [], reason: null, parked: null, resolved: false };
  const triggers = new Map<string, DomainEvent>();
  const sent: { commandId: string; type: CommandType }[] = [];
  const tries = new Map<string, number>();
  const done = new Map<string, Reply['payload']>();
  let order: 'PENDING' | 'APPROVED' | 'REJECTED' = 'PENDING';
  let healed = false;
  let operated = false;

  const publish = (type: string, payload: Record<string, unknown>) =>
    at(0, () =>
      deliver({
        messageId: `m${seq}`,
        sagaId: 'o1',
        occurredAt: new Date(now).toISOString(),
        type,
        payload: { orderId: 'o1', customerId: 'c1', ...payload },
      } as DomainEvent),
    );

  /** One attempt of a command on its service: the row's answer; the order's verdicts follow their one rule. */
  const attempt = (
    commandId: string,
    type: CommandType,
    payload: Record<string, unknown>,
  ): Reply['payload'] | 'failed' => {
    const stored = done.get(commandId);
    if (stored) return stored;
    sent.push({ commandId, type });
    const n = (tries.get(commandId) ?? 0) + 1;
    tries.set(commandId, n);
    if (
      c.operator &&
      !operated &&
      typeof c.operator.when === 'object' &&
      c.operator.when.inFlight === type &&
      n === 1
    ) {
      operated = true;
      at(0, () => verdict('OPERATOR_COMPENSATED'));
    }
    const answer = healed ? 'ok' : answerOf(c, type, n);
    if (answer === 'silent') return 'failed';
    let reply: Reply['payload'] =
      typeof answer === 'object'
        ? { commandId, commandType: type, outcome: 'FAILURE', reason: answer.refuse }
        : { commandId, commandType: type, outcome: 'SUCCESS', data: {} };
    if (reply.outcome === 'SUCCESS' && (type === 'ApproveOrder' || type === 'RejectOrder')) {
      const to = type === 'ApproveOrder' ? 'APPROVED' : 'REJECTED';
      if (order === 'PENDING') {
        order = to;
        publish(
          type === 'ApproveOrder' ? 'OrderApproved' : 'OrderRejected',
          type === 'RejectOrder' ? { reason: payload.reason } : {},
        );
      } else if (order !== to)
        reply = { commandId, commandType: type, outcome: 'FAILURE', reason: `ORDER_ALREADY_${order}` };
    }
    // A refusal is answered afresh on a retry here, as in the other coordinators' runners.
    if (reply.outcome === 'SUCCESS') done.set(commandId, reply);
    return reply;
  };

  const react = (r: Reaction, e: DomainEvent, n: number) => {
    const cmd = r.command(e)!;
    const result = attempt(`o1:${r.step}`, cmd.type, cmd.payload);
    if (result === 'failed') {
      const budget =
        r.budget === 'step'
          ? timing.stepAttempts
          : r.budget === 'compensation'
            ? timing.compensationAttempts
            : Infinity;
      if (n < budget)
        return at(Math.min(STEP_RETRY.maxBackoffMs, STEP_RETRY.initialBackoffMs * STEP_RETRY.factor ** (n - 1)), () =>
          react(r, e, n + 1),
        );
      return publish('ReactionFailed', { step: r.step, reason: `RETRIES_EXHAUSTED:${r.step}` });
    }
    const f = r.then(e, result);
    if (f) publish(f.type, f.payload);
  };

  const verdict = (reason: string) => attempt('o1:rejectOrder', 'RejectOrder', { orderId: 'o1', reason });

  const deliver = (e: DomainEvent) => {
    if (['COMPLETED', 'REJECTED', 'RESOLVED'].includes(derive(view).status)) return;
    view = apply(view, e);
    const fact = factOf(e);
    if (fact) triggers.set(fact, e);
    if (e.type === 'OrderCreated')
      at(
        timing.deadlineMs,
        () => derive(view).status === 'RUNNING' && !derive(view).pastPivot && verdict('DEADLINE_EXCEEDED'),
      );
    for (const r of REACTIONS) if (r.on === e.type && r.command(e)) react(r, e, 1);
  };

  publish('OrderCreated', { lines: [{ sku: 'A', quantity: 2 }], totalCents: 500 });
  for (let guard = 0; guard < 10_000 && tasks.length > 0; guard++) {
    tasks.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const t = tasks.shift()!;
    now = t.at;
    t.run();
    const d = derive(view);
    if (['COMPLETED', 'REJECTED', 'RESOLVED'].includes(d.status)) break;
    if (d.status === 'NEEDS_ATTENTION' && c.operator?.when === 'parked' && !operated) {
      operated = true;
      healed = c.operator.heals === true;
      if (c.operator.action === 'resolve') view = { ...view, resolved: true };
      else {
        // The keeper's retry: the event each pending step reacts to, published again.
        view = { ...view, parked: null };
        for (const step of d.pending) {
          const again = triggers.get(TRIGGER_OF[step]!)!;
          at(0, () => deliver({ ...again, messageId: `retry-${seq}` }));
        }
      }
    }
  }
  return { status: derive(view).status, reason: view.reason, commands: distinctCommands(sent) };
};

describe("the conformance table on the choreography: the services' reactions and the order service's view (ADR 0018)", () => {
  it.each(CONFORMANCE.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const r = play(c);
    expect(r.commands).toEqual(choreographed(c.expect.commands));
    expect(r.status).toBe(c.expect.status);
    if (c.expect.reason) expect(r.reason).toBe(c.expect.reason);
  });
});
