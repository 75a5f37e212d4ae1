/** Notification decisions: pure, no IO. */
import type { OrderOutcome } from '@saga/contracts';

export type Kind = 'confirmed' | 'rejected';

export interface Notification {
  orderId: string;
  customerId: string;
  kind: Kind;
  message: string;
}

/** What the notification service heard of an order on `order.events`: its fate and its customer. */
export interface OrderFate {
  outcome: OrderOutcome;
  /** Absent only on an event published before the order's verdicts carried it. */
  customerId: string | null;
}

export const messageFor = (orderId: string, kind: Kind): string =>
  kind === 'confirmed' ? `Your order ${orderId} is confirmed.` : `Sorry, your order ${orderId} could not be completed.`;

/** The kind of notification an order's outcome calls for. */
export const kindFor = (outcome: OrderOutcome): Kind => (outcome === 'APPROVED' ? 'confirmed' : 'rejected');

export type NotifyRefusal = 'OUTCOME_CONTRADICTS_ORDER' | 'NOT_THE_ORDERS_CUSTOMER' | 'OUTCOME_ALREADY_NOTIFIED';

export type NotifyDecision =
  | { kind: 'send'; notification: Notification }
  | { kind: 'already-sent'; notification: Notification }
  | { kind: 'not-yet'; detail: string }
  | { kind: 'refuse'; reason: NotifyRefusal; detail: string };

/**
 * The customer is told what the order service decided, and only that. Until the order's outcome is
 * heard nothing is decided (`not-yet`: asked again, never guessed). A kind that contradicts the
 * outcome, or a customer who is not the order's, is refused — whoever asks, however early or late.
 * One notification per order and kind: a second request for the same pair sends nothing; and once
 * the customer was told one outcome the other is refused.
 */
export const decideNotify = (
  request: { orderId: string; customerId: string; kind: Kind },
  fate: OrderFate | undefined,
  existing: Notification[],
): NotifyDecision => {
  if (!fate) return { kind: 'not-yet', detail: `the outcome of order ${request.orderId} is not known here yet` };
  if (kindFor(fate.outcome) !== request.kind)
    return {
      kind: 'refuse',
      reason: 'OUTCOME_CONTRADICTS_ORDER',
      detail: `order ${request.orderId} is ${fate.outcome}: the customer is not told it is ${request.kind}`,
    };
  if (fate.customerId !== null && fate.customerId !== request.customerId)
    return {
      kind: 'refuse',
      reason: 'NOT_THE_ORDERS_CUSTOMER',
      detail: `order ${request.orderId} is not customer ${request.customerId}'s`,
    };
  const same = existing.find((n) => n.kind === request.kind);
  if (same) return { kind: 'already-sent', notification: same };
  const other = existing.find((n) => n.kind !== request.kind);
  if (other)
    return {
      kind: 'refuse',
      reason: 'OUTCOME_ALREADY_NOTIFIED',
      detail: `the customer was already told this order is ${other.kind}`,
    };
  return { kind: 'send', notification: { ...request, message: messageFor(request.orderId, request.kind) } };
};
