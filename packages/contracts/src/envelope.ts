import { z } from 'zod';

/** An identifier (order, customer, message): bounded, so it always fits a database index. */
export const Id = z.string().min(1).max(200);

/** Fields every message carries, whatever its type. `sagaId` is also the Kafka key. */
export const envelopeFields = {
  messageId: Id,
  sagaId: Id,
  occurredAt: z.iso.datetime({ offset: true }),
};

export const Line = z.object({
  sku: z.string().min(1).max(64),
  quantity: z.number().int().positive().max(10_000),
});
export type Line = z.infer<typeof Line>;

/** Integer cents: money never travels as a float. */
export const Cents = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** Builds the schema of one message type: the envelope plus a literal `type` and its payload. */
export const message = <T extends string, P extends z.ZodType>(type: T, payload: P) =>
  z.object({ ...envelopeFields, type: z.literal(type), payload });
