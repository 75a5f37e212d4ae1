import { withTransaction, type Pool, type PoolClient } from '@saga/postgres';
import { withOutbox, type OutboxMessage } from './outbox.ts';
import { outboxAppended } from './relay.ts';

export interface InboxResult<T> {
  /** True when the message had been processed before: `outcome` is the stored one. */
  duplicate: boolean;
  outcome: T;
}

/** What a handler did: its outcome (stored for redeliveries) and the messages it publishes. */
export interface Handled<T> {
  outcome: T;
  /** Appended in the same statement that stores the outcome (one round trip fewer). */
  outbox?: OutboxMessage[];
}

/**
 * Runs `handle` once per (consumer, message id). The inbox record, the handler's writes and its
 * outbox messages commit in one transaction; a redelivery gets the stored outcome back without
 * running the handler. A concurrent duplicate waits on the first one's row lock.
 */
export const processOnce = async <T>(
  pool: Pool,
  consumer: string,
  messageId: string,
  handle: (tx: PoolClient) => Promise<Handled<T>>,
): Promise<InboxResult<T>> =>
  withTransaction(pool, async (tx) => {
    const inserted = await tx.query('INSERT INTO inbox (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
      consumer,
      messageId,
    ]);
    if (inserted.rowCount === 0) {
      const { rows } = await tx.query<{ outcome: T }>(
        'SELECT outcome FROM inbox WHERE consumer = $1 AND message_id = $2',
        [consumer, messageId],
      );
      return { duplicate: true, outcome: rows[0]!.outcome };
    }
    const { outcome, outbox = [] } = await handle(tx);
    const done = withOutbox(
      'UPDATE inbox SET outcome = $3 WHERE consumer = $1 AND message_id = $2',
      [consumer, messageId, JSON.stringify(outcome ?? null)],
      outbox,
    );
    await tx.query(done.sql, done.params);
    if (outbox.length > 0) outboxAppended(tx);
    return { duplicate: false, outcome };
  });
