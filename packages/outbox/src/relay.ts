import { setTimeout as sleep } from 'node:timers/promises';
import type { Producer } from 'kafkajs';
import pg from 'pg';
import { afterCommit, type Pool, type Queryable } from '@saga/postgres';

export interface RelayLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface RelayOptions {
  /** URL of the database whose outbox this relay drains. */
  databaseUrl: string;
  /** A connected producer (idempotent, see @saga/kafka). */
  producer: Producer;
  /**
   * The pool this process writes the database with: its commits wake this relay directly, no
   * NOTIFY (see `outboxAppended`). Without it every writer here notifies, as one in another process does.
   */
  pool?: Pool;
  /** Safety-net poll when no wake-up arrives (and the standby's lock retry). */
  pollIntervalMs?: number;
  batchSize?: number;
  log?: RelayLog;
  /** Called after each batch is acknowledged by Kafka and removed from the outbox. */
  onPublished?: (count: number) => void;
}

export interface Relay {
  /** Resolves when the relay stopped; it finishes the batch in flight first. */
  stop(): Promise<void>;
  /** True while this relay holds the lock and publishes. */
  readonly active: boolean;
}

// One relay per database publishes; others wait on this advisory lock (advisory locks are
// scoped to a database, so the same key serves every service's database).
const RELAY_LOCK = 7_315_001;

interface Row {
  id: number;
  topic: string;
  key: string;
  message_id: string;
  payload: string;
  headers: Record<string, string>;
}

/** This process's relays, by the pool its writers use (`RelayOptions.pool`). */
const local = new WeakMap<Pool, { readonly active: boolean; wake(): void }>();
/** A NOTIFY in flight per pool, and whether another commit came after it was sent. */
const notifying = new WeakMap<Pool, { again: boolean }>();

const NOTIFY = "SELECT pg_notify('outbox', '')";

/** The commit is in: wake the relay that publishes this database — here directly, elsewhere by NOTIFY. */
const wakeRelay = (pool: Pool): void => {
  const relay = local.get(pool);
  if (relay?.active) return relay.wake();
  const inFlight = notifying.get(pool);
  if (inFlight) {
    inFlight.again = true;
    return;
  }
  const state = { again: false };
  notifying.set(pool, state);
  // Lost (the database down): the publishing relay's poll finds the rows.
  void pool
    .query(NOTIFY)
    .catch(() => undefined)
    .finally(() => {
      notifying.delete(pool);
      if (state.again) wakeRelay(pool);
    });
};

/**
 * Tells the relay that `db` appended to the outbox, once that commits. Not a NOTIFY inside the
 * writer's transaction: PostgreSQL serialises the commits of every notifying transaction in the
 * cluster on one lock, held through the commit's WAL flush (ADR 0015), which would put every
 * service's and coordinator's commits in one queue. Instead, after the commit, this process's
 * own relay is woken directly; a relay in another process (this one is standby, or has none) by
 * a NOTIFY of its own, outside the writer's transaction.
 */
export const outboxAppended = (db: Queryable): void => {
  // A client outside `withTransaction`: notify within what it runs (delivered at its commit).
  if (!afterCommit(db, wakeRelay)) void db.query(NOTIFY).catch(() => undefined);
};

/**
 * Publishes committed outbox rows to Kafka in id order, then deletes them. Woken after each
 * commit that appended (`outboxAppended`: directly in-process, by NOTIFY across), polling as
 * the safety net. Delivery is at-least-once: a crash between the broker's
 * ack and the delete re-sends that batch, in the same order; consumers dedupe with the inbox.
 */
export const startRelay = (opts: RelayOptions): Relay => {
  const { producer, pollIntervalMs = 500, batchSize = 500, log } = opts;
  let running = true;
  let active = false;
  let wake: (() => void) | undefined;
  let client: pg.Client | undefined;
  const registered = {
    get active() {
      return active;
    },
    wake: () => wake?.(),
  };
  if (opts.pool) local.set(opts.pool, registered);

  const waitForWork = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pollIntervalMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const drain = async (db: pg.Client) => {
    for (;;) {
      const { rows } = await db.query<Row>(
        'SELECT id, topic, key, message_id, payload::text AS payload, headers FROM outbox ORDER BY id LIMIT $1',
        [batchSize],
      );
      if (rows.length === 0) return;
      await producer.sendBatch({ topicMessages: groupByTopic(rows) });
      await db.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
      opts.onPublished?.(rows.length);
      if (rows.length < batchSize || !running) return;
    }
  };

  const session = async () => {
    const db = new pg.Client({ connectionString: opts.databaseUrl, application_name: 'outbox-relay' });
    client = db;
    db.on('error', (err) => log?.warn({ err }, 'outbox relay connection error'));
    await db.connect();
    try {
      while (running) {
        const { rows } = await db.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [RELAY_LOCK]);
        if (rows[0]?.locked) break;
        await sleep(pollIntervalMs);
      }
      if (!running) return;
      active = true;
      db.on('notification', () => wake?.());
      await db.query('LISTEN outbox');
      while (running) {
        // Arm the wake-up before reading, so a commit between the read and the wait is not missed.
        const next = waitForWork();
        await drain(db);
        await next;
      }
    } finally {
      active = false;
      client = undefined;
      await db.end().catch(() => undefined);
    }
  };

  const loop = (async () => {
    while (running) {
      try {
        await session();
      } catch (err) {
        if (running) {
          log?.error({ err }, 'outbox relay failed; reconnecting');
          await sleep(pollIntervalMs);
        }
      }
    }
  })();

  return {
    get active() {
      return active;
    },
    stop: async () => {
      if (opts.pool && local.get(opts.pool) === registered) local.delete(opts.pool);
      running = false;
      wake?.();
      await loop;
      await client?.end().catch(() => undefined);
    },
  };
};

/** Keeps the outbox order within each topic (and so within each key). */
const groupByTopic = (rows: Row[]) => {
  const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
  for (const r of rows) {
    const list = byTopic.get(r.topic) ?? [];
    list.push({ key: r.key, value: r.payload, headers: { ...r.headers, 'message-id': r.message_id } });
    byTopic.set(r.topic, list);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
};
