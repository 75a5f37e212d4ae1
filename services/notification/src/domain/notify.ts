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

export type NotifyDecision = { kind: 'send'; notification: Notification } | { kind: 'already-sent'; notification: Notification };

/** One notification per order and kind: a second request for the same pair sends nothing. */
export const decideNotify = (
  request: { orderId: string; customerId: string; kind: Kind },
  existing: Notification | undefined,
): NotifyDecision =>
  existing
    ? { kind: 'already-sent', notification: existing }
    : { kind: 'send', notification: { ...request, message: messageFor(request.orderId, request.kind) } };
