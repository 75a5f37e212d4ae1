import { failed, reaction, type Choreography } from '@saga/service';

/** Payment's part in the choreographed saga (ADR 0018): authorize once the stock is reserved, void once the order is rejected. */
export const paymentChoreography: Choreography = {
  reactions: [
    reaction({
      on: 'StockReserved',
      step: 'authorizePayment',
      budget: 'step',
      command: (e) => ({
        type: 'AuthorizePayment',
        payload: { orderId: e.payload.orderId, customerId: e.payload.customerId, amountCents: e.payload.totalCents },
      }),
      then: ({ payload: { orderId, customerId } }, r) =>
        r.outcome === 'SUCCESS'
          ? { type: 'PaymentAuthorized', payload: { orderId, customerId } }
          : { type: 'PaymentDeclined', payload: { orderId, customerId, reason: r.reason } },
    }),
    reaction({
      on: 'OrderRejected',
      step: 'voidPayment',
      budget: 'compensation',
      ownership: 'check',
      command: (e) => ({ type: 'VoidPayment', payload: { orderId: e.payload.orderId } }),
      then: (e, r) =>
        failed(e, 'voidPayment', r) ?? {
          type: 'PaymentVoided',
          payload: { orderId: e.payload.orderId, customerId: e.payload.customerId ?? '?' },
        },
    }),
  ],
};
