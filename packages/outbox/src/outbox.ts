import { fileURLToPath } from 'node:url';
import type { MigrationSet, Queryable } from '@saga/postgres';

/** The shared tables (outbox, inbox); every database that uses them runs this set first. */
export const outboxMigrations: MigrationSet = {
  dir: fileURLToPath(new URL('../migrations', import.meta.url)),
  table: 'pgmigrations_outbox',
};

export interface OutboxMessage {
  topic: string;
  /** Kafka key: the saga id, so a saga's messages stay in order on one partition. */
  key: string;
  messageId: string;
  payload: unknown;
  headers?: Record<string, string>;
}

/** Appends messages in the caller's transaction: they are published only if it commits. */
export const appendToOutbox = async (tx: Queryable, messages: OutboxMessage[]): Promise<void> => {
  if (messages.length === 0) return;
  await tx.query(
    `INSERT INTO outbox (topic, key, message_id, payload, headers)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::json[], $5::jsonb[])`,
    [
      messages.map((m) => m.topic),
      messages.map((m) => m.key),
      messages.map((m) => m.messageId),
      messages.map((m) => JSON.stringify(m.payload)),
      messages.map((m) => JSON.stringify(m.headers ?? {})),
    ],
  );
};

/** An outbox entry for a contract message: keyed by its saga id. */
export const toOutbox = (topic: string, message: { messageId: string; sagaId: string }): OutboxMessage => ({
  topic,
  key: message.sagaId,
  messageId: message.messageId,
  payload: message,
});
