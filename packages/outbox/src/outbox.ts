import { fileURLToPath } from 'node:url';
import type { MigrationSet, Queryable } from '@saga/postgres';
import { outboxAppended } from './relay.ts';

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

/**
 * The INSERT of `messages` into the outbox, its parameters numbered from `$from`: a statement of
 * its own, or the tail of one that changes something else first (one round trip, ADR 0015).
 */
export const outboxInsert = (messages: OutboxMessage[], from = 1) => ({
  sql: `INSERT INTO outbox (topic, key, message_id, payload, headers)
     SELECT * FROM unnest($${from}::text[], $${from + 1}::text[], $${from + 2}::text[], $${from + 3}::json[], $${from + 4}::jsonb[])`,
  params: [
    messages.map((m) => m.topic),
    messages.map((m) => m.key),
    messages.map((m) => m.messageId),
    messages.map((m) => JSON.stringify(m.payload)),
    messages.map((m) => JSON.stringify(m.headers ?? {})),
  ],
});

/**
 * `sql` (with `params`) and, when there are messages, their outbox INSERT, as one statement: the
 * insert rides along as `WITH changed AS (sql) INSERT …`. No messages, no insert — the outbox's
 * statement trigger would wake the relay for nothing.
 */
export const withOutbox = (sql: string, params: unknown[], messages: OutboxMessage[]) => {
  if (messages.length === 0) return { sql, params };
  const insert = outboxInsert(messages, params.length + 1);
  return { sql: `WITH changed AS (${sql}) ${insert.sql}`, params: [...params, ...insert.params] };
};

/** Appends messages in the caller's transaction: they are published only if it commits. */
export const appendToOutbox = async (tx: Queryable, messages: OutboxMessage[]): Promise<void> => {
  if (messages.length === 0) return;
  const { sql, params } = outboxInsert(messages);
  await tx.query(sql, params);
  outboxAppended(tx);
};

/** An outbox entry for a contract message: keyed by its saga id. */
export const toOutbox = (topic: string, message: { messageId: string; sagaId: string }): OutboxMessage => ({
  topic,
  key: message.sagaId,
  messageId: message.messageId,
  payload: message,
});
