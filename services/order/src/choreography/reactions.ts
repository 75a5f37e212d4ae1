import { Topics, type DomainEventOf } from '@saga/contracts';
import { reaction } from '@saga/service';
import { FORWARD_STEPS } from './view.ts';

const reject = (e: { payload: { orderId: string; reason: string } }) => ({
  type: 'RejectOrder' as const,
  payload: { orderId: e.payload.orderId, reason: e.payload.reason },
});

/**
 * The order service's reactions (ADR 0018): it gives the verdict. A payment authorized approves
 * the order (the pivot); a refusal, or a forward step that gave up, rejects it. The order's own
 * events (OrderApproved / OrderRejected) carry the saga on; a verdict refused because the other
 * one came first (the deadline, an operator) ends the race there.
 */
export const orderReactions = [
  reaction({
    on: 'PaymentAuthorized',
    step: 'approveOrder',
    budget: 'untilDone',
    command: (e) => ({ type: 'ApproveOrder', payload: { orderId: e.payload.orderId } }),
    then: () => undefined,
  }),
  reaction({ on: 'StockRefused', step: 'rejectOrder', budget: 'untilDone', command: reject, then: () => undefined }),
  reaction({ on: 'PaymentDeclined', step: 'rejectOrder', budget: 'untilDone', command: reject, then: () => undefined }),
  reaction({
    on: 'ReactionFailed',
    topics: [Topics.inventoryEvents, Topics.paymentEvents],
    step: 'rejectOrder',
    budget: 'untilDone',
    // Only a step before the pivot is compensated; a compensation that gave up parks the saga (the view).
    command: (e: DomainEventOf<'ReactionFailed'>) =>
      (FORWARD_STEPS as readonly string[]).includes(e.payload.step) ? reject(e) : undefined,
    then: () => undefined,
  }),
];
