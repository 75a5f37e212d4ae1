import { z } from 'zod';
import { Cents, Id, Line, message } from './envelope.ts';

export const OrderCreated = message(
  'OrderCreated',
  z.object({ orderId: Id, customerId: Id, lines: z.array(Line).min(1), totalCents: Cents }),
);
/** `customerId` travels with the verdict so that a choreographed notification can react to it (ADR 0018). */
export const OrderApproved = message('OrderApproved', z.object({ orderId: Id, customerId: Id.optional() }));
export const OrderRejected = message(
  'OrderRejected',
  z.object({ orderId: Id, customerId: Id.optional(), reason: z.string().max(500) }),
);

export type OrderCreated = z.infer<typeof OrderCreated>;
export type OrderApproved = z.infer<typeof OrderApproved>;
export type OrderRejected = z.infer<typeof OrderRejected>;

export const OrderEvent = z.discriminatedUnion('type', [OrderCreated, OrderApproved, OrderRejected]);
export type OrderEvent = z.infer<typeof OrderEvent>;

/** An order's fate as the order service publishes it (OrderApproved / OrderRejected). */
export type OrderOutcome = 'APPROVED' | 'REJECTED';
