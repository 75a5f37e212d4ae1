/** Notification decisions: pure, no IO. */

export type Kind = 'confirmed' | 'rejected';

export interface Notification {
  orderId: string;
  customerId: string;
  kind: Kind;
  message: string;
}

export const messageFor = (orderId: string, kind: Kind): string =>
  kind === 'confirmed' ? `Your order ${orderId} is confirmed.` : `Sorry, your order ${orderId} could not be completed.`;

export type NotifyDecision =
  | { kind: 'send'; notification: Notification }
  | { kind: 'already-sent'; notification: Notification }
  | { kind: 'refuse'; reason: 'OUTCOME_ALREADY_NOTIFIED'; detail: string };

/**
 * One notification per order and kind: a second request for the same pair sends nothing. And one
 * outcome per order: once the customer was told `confirmed`, a `rejected` is refused (and the
 * other way round) — whoever asks, however late.
 */
export const decideNotify = (
  request: { orderId: string; customerId: string; kind: Kind },
  existing: Notification[],
): NotifyDecision => {
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
