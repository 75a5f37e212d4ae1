import { failed, reaction, type Choreography } from '@saga/service';

/** Notification's part in the choreographed saga (ADR 0018): "confirmed" once approved, "rejected" once the stock is released (the last undo). */
export const notificationChoreography: Choreography = {
  reactions: [
    reaction({
      on: 'OrderApproved',
      step: 'notifyConfirmed',
      budget: 'untilDone',
      ownership: 'check',
      command: (e) => ({
        type: 'SendNotification',
        payload: { orderId: e.payload.orderId, customerId: e.payload.customerId ?? '?', kind: 'confirmed' },
      }),
      then: (e, r) =>
        failed(e, 'notifyConfirmed', r) ?? {
          type: 'NotificationSent',
          payload: { orderId: e.payload.orderId, customerId: e.payload.customerId ?? '?', kind: 'confirmed' },
        },
    }),
    reaction({
      on: 'StockReleased',
      step: 'notifyRejected',
      budget: 'untilDone',
      command: (e) => ({
        type: 'SendNotification',
        payload: { orderId: e.payload.orderId, customerId: e.payload.customerId, kind: 'rejected' },
      }),
      then: (e, r) =>
        failed(e, 'notifyRejected', r) ?? { type: 'NotificationSent', payload: { ...e.payload, kind: 'rejected' } },
    }),
  ],
};
