import { z } from 'zod';
import { Cents, Id, message } from './envelope.ts';
import { OrderEvent } from './events.ts';
import { Topics } from './topics.ts';

/**
 * The domain events of `ORCHESTRATOR=choreography` (ADR 0018): past tense, published by the
 * service that acted, on its `<service>.events` topic (key = saga id = order id). Each carries
 * forward what the next reaction needs (the customer, the amount), since no coordinator holds
 * the saga's data.
 */
const ref = { orderId: Id, customerId: Id };
const why = z.string().min(1).max(500);

export const StockReserved = message('StockReserved', z.object({ ...ref, totalCents: Cents }));
export const StockRefused = message('StockRefused', z.object({ ...ref, reason: why }));
export const StockCommitted = message('StockCommitted', z.object(ref));
export const StockReleased = message('StockReleased', z.object(ref));
export const PaymentAuthorized = message('PaymentAuthorized', z.object(ref));
export const PaymentDeclined = message('PaymentDeclined', z.object({ ...ref, reason: why }));
export const PaymentVoided = message('PaymentVoided', z.object(ref));
export const NotificationSent = message(
  'NotificationSent',
  z.object({ ...ref, kind: z.enum(['confirmed', 'rejected']) }),
);
/**
 * A reaction gave up: its step's attempts are spent (`RETRIES_EXHAUSTED:<step>`) or a
 * compensation was refused. The order service decides what follows: compensate before the
 * pivot, park the saga (NEEDS_ATTENTION) after it or while compensating.
 */
export const ReactionFailed = message(
  'ReactionFailed',
  z.object({ ...ref, step: z.string().min(1).max(64), reason: why }),
);

export const ChoreographyEvent = z.discriminatedUnion('type', [
  StockReserved,
  StockRefused,
  StockCommitted,
  StockReleased,
  PaymentAuthorized,
  PaymentDeclined,
  PaymentVoided,
  NotificationSent,
  ReactionFailed,
]);
export type ChoreographyEvent = z.infer<typeof ChoreographyEvent>;

/** Every event a choreographed saga is made of: the order's own and the others'. */
export const DomainEvent = z.discriminatedUnion('type', [...OrderEvent.options, ...ChoreographyEvent.options]);
export type DomainEvent = z.infer<typeof DomainEvent>;
export type DomainEventType = DomainEvent['type'];
export type DomainEventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;

/** Where each event is published: the events topic of the service that acted. */
export const eventTopic = (type: DomainEventType): string => {
  if (type.startsWith('Order')) return Topics.orderEvents;
  if (type.startsWith('Stock')) return Topics.inventoryEvents;
  if (type.startsWith('Payment')) return Topics.paymentEvents;
  if (type === 'NotificationSent') return Topics.notificationEvents;
  throw new Error(`${type}: published by the service whose reaction failed; give its topic`);
};

/** The owner name choreographed sagas are claimed under in the saga registry (ADR 0011). */
export const CHOREOGRAPHY = 'choreography';
