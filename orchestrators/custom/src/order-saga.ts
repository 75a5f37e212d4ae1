import type { SagaTiming } from '@saga/config';
import { PATIENT_MAX_BACKOFF_MS, STEP_RETRY, type Line } from '@saga/contracts';
import { action, type RetryPolicy, type SagaDefinition } from './definition.ts';

/** What the order saga carries from OrderCreated to its last command. */
export interface OrderSagaData {
  orderId: string;
  customerId: string;
  lines: Line[];
  totalCents: number;
}

/**
 * The order saga (ARCHITECTURE.md "The order saga"), as data:
 * ReserveStock → AuthorizePayment → ApproveOrder (pivot) → CommitStock → SendNotification(confirmed);
 * on a refusal or an exhausted budget before the pivot: VoidPayment, ReleaseStock (reverse order,
 * only for what may have acted), then RejectOrder and SendNotification(rejected). The budgets come
 * from the coordinator's settings (`sagaTiming` in @saga/config, which holds their defaults).
 */
export const orderSaga = (t: SagaTiming): SagaDefinition<OrderSagaData> => {
  const bounded: RetryPolicy = { maxAttempts: t.stepAttempts, ...STEP_RETRY, jitter: 0.5 };
  const untilDone: RetryPolicy = { ...bounded, maxAttempts: Infinity, maxBackoffMs: PATIENT_MAX_BACKOFF_MS };
  // A refusal parks a compensation at once; silence gets its own, longer budget (SAGA_COMPENSATION_ATTEMPTS).
  const compensating: RetryPolicy = { ...untilDone, maxAttempts: t.compensationAttempts };
  const step = { timeoutMs: t.stepTimeoutMs };
  const undo = { ...step, retry: compensating };
  return {
    name: 'order',
    deadlineMs: t.deadlineMs,
    forward: [
      action({
        name: 'reserveStock',
        command: 'ReserveStock',
        payload: (d) => ({ orderId: d.orderId, lines: d.lines }),
        ...step,
        retry: bounded,
        undo: action({
          name: 'releaseStock',
          command: 'ReleaseStock',
          payload: (d) => ({ orderId: d.orderId }),
          ...undo,
        }),
      }),
      action({
        name: 'authorizePayment',
        command: 'AuthorizePayment',
        payload: (d) => ({ orderId: d.orderId, customerId: d.customerId, amountCents: d.totalCents }),
        ...step,
        retry: bounded,
        undo: action({
          name: 'voidPayment',
          command: 'VoidPayment',
          payload: (d) => ({ orderId: d.orderId }),
          ...undo,
        }),
      }),
      action({
        name: 'approveOrder',
        command: 'ApproveOrder',
        payload: (d) => ({ orderId: d.orderId }),
        ...step,
        retry: untilDone,
        pivot: true,
      }),
      action({
        name: 'commitStock',
        command: 'CommitStock',
        payload: (d) => ({ orderId: d.orderId }),
        ...step,
        retry: untilDone,
      }),
      action({
        name: 'notifyConfirmed',
        command: 'SendNotification',
        payload: (d) => ({ orderId: d.orderId, customerId: d.customerId, kind: 'confirmed' as const }),
        ...step,
        retry: untilDone,
      }),
    ],
    closing: [
      action({
        name: 'rejectOrder',
        command: 'RejectOrder',
        payload: (d, reason) => ({ orderId: d.orderId, reason: reason ?? 'REJECTED' }),
        ...step,
        retry: untilDone,
      }),
      action({
        name: 'notifyRejected',
        command: 'SendNotification',
        payload: (d) => ({ orderId: d.orderId, customerId: d.customerId, kind: 'rejected' as const }),
        ...step,
        retry: untilDone,
      }),
    ],
  };
};
