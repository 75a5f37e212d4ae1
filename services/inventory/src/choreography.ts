import { failed, reaction, type Choreography } from '@saga/service';

/**
 * Inventory's part in the choreographed saga (ADR 0018): it starts the saga on OrderCreated
 * (claiming it for the choreography), releases after the payment is voided (the compensations
 * run in reverse: payment, then stock) and commits once the order is approved.
 */
export const inventoryChoreography: Choreography = {
  reactions: [
    reaction({
      on: 'OrderCreated',
      step: 'reserveStock',
      budget: 'step',
      ownership: 'claim',
      command: (e) => ({ type: 'ReserveStock', payload: { orderId: e.payload.orderId, lines: e.payload.lines } }),
      then: ({ payload: { orderId, customerId, totalCents } }, r) =>
        r.outcome === 'SUCCESS'
          ? { type: 'StockReserved', payload: { orderId, customerId, totalCents } }
          : { type: 'StockRefused', payload: { orderId, customerId, reason: r.reason } },
    }),
    reaction({
      on: 'PaymentVoided',
      step: 'releaseStock',
      budget: 'compensation',
      command: (e) => ({ type: 'ReleaseStock', payload: { orderId: e.payload.orderId } }),
      then: (e, r) => failed(e, 'releaseStock', r) ?? { type: 'StockReleased', payload: e.payload },
    }),
    reaction({
      on: 'OrderApproved',
      step: 'commitStock',
      budget: 'untilDone',
      ownership: 'check',
      command: (e) => ({ type: 'CommitStock', payload: { orderId: e.payload.orderId } }),
      then: (e, r) =>
        failed(e, 'commitStock', r) ?? {
          type: 'StockCommitted',
          payload: { orderId: e.payload.orderId, customerId: e.payload.customerId ?? '?' },
        },
    }),
  ],
};
