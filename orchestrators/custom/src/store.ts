import { outboxAppended, outboxInsert, type OutboxMessage } from '@saga/outbox';
import type { Queryable } from '@saga/postgres';
import type { HistoryEntry, SagaState, SagaStatus } from './engine.ts';

/** The saga changed under us (another instance, or a timer): reload and apply the event again. */
export class VersionConflict extends Error {
  override name = 'VersionConflict';
}

export interface StoredSaga<D> {
  state: SagaState<D>;
  version: number;
}

const toDate = (ms: number | null) => (ms === null ? null : new Date(ms));

/** What a transition writes besides the saga's row: its history entries and (Kafka) its commands. */
export interface Written {
  from: SagaStatus | null;
  history: HistoryEntry[];
  instance: string;
  outbox: OutboxMessage[];
}

/**
 * `head` — an INSERT or UPDATE of one saga, `RETURNING id` — and, only if it wrote that row, the
 * transition's history entries and outbox messages: one statement, one round trip (ADR 0015).
 * True when the row was written.
 */
const writeSaga = async (
  db: Queryable,
  head: string,
  params: unknown[],
  state: SagaState<unknown>,
  w: Written,
): Promise<boolean> => {
  const p = [...params];
  const arg = (v: unknown) => `$${p.push(v)}`;
  const parts = [`s AS (${head})`];
  if (w.history.length > 0) {
    const entries = JSON.stringify(
      w.history.map((e) => ({
        cause: e.kind,
        step: e.action,
        attempt: e.attempt,
        command_id: e.commandId,
        reply_id: e.replyId,
        detail: e.detail,
        via: e.via,
      })),
    );
    parts.push(`h AS (INSERT INTO saga_history (saga_id, cause, from_status, to_status, step, attempt, command_id, reply_id, detail, via, instance)
       SELECT ${arg(state.sagaId)}, e.cause, ${arg(w.from)}::text, ${arg(state.status)}::text, e.step, e.attempt, e.command_id, e.reply_id, e.detail, e.via, ${arg(w.instance)}::text
       FROM jsonb_to_recordset(${arg(entries)}::jsonb) AS e(cause text, step text, attempt int, command_id text, reply_id text, detail text, via jsonb)
       WHERE EXISTS (SELECT 1 FROM s))`);
  }
  if (w.outbox.length > 0) {
    const insert = outboxInsert(w.outbox, p.length + 1);
    p.push(...insert.params);
    parts.push(`o AS (${insert.sql} WHERE EXISTS (SELECT 1 FROM s))`);
  }
  const { rows } = await db.query<{ n: number }>(`WITH ${parts.join(',\n')} SELECT count(*)::int AS n FROM s`, p);
  const wrote = rows[0]!.n === 1;
  if (wrote && w.outbox.length > 0) outboxAppended(db);
  return wrote;
};

/** The `reason` column an operator reads: why it is parked while it is, else why it compensates. */
const reasonShown = (state: SagaState<unknown>) => state.parked ?? state.reason;

/** The values of `sagas`' columns $3–$9 (status … reason), the same for an insert and an update. */
const columns = <D>(state: SagaState<D>, wakeAt: number | null) => [
  state.status,
  state.current?.action ?? null,
  JSON.stringify(state.data),
  JSON.stringify(state),
  toDate(state.deadlineAt),
  toDate(wakeAt),
  reasonShown(state),
];

/** Postgres adapter of the custom orchestrator: instances, their history, their timers. */
export const sagaStore = <D>(db: Queryable, definition: string) => ({
  /** Inserts a new saga with its history and commands; false when one with that id exists (a duplicate start: nothing written). */
  insert: (state: SagaState<D>, wakeAt: number | null, written: Written): Promise<boolean> =>
    writeSaga(
      db,
      `INSERT INTO sagas (id, definition, status, current_step, data, state, version, deadline_at, wake_at, reason)
       VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [state.sagaId, definition, ...columns(state, wakeAt)],
      state,
      written,
    ),

  async load(id: string): Promise<StoredSaga<D> | undefined> {
    const { rows } = await db.query<{ state: SagaState<D>; version: number }>(
      'SELECT state, version FROM sagas WHERE id = $1',
      [id],
    );
    return rows[0];
  },

  /** Saves a transition — state, history, commands — if nobody else did since `version` was read. */
  async save(state: SagaState<D>, version: number, wakeAt: number | null, written: Written) {
    const saved = await writeSaga(
      db,
      `UPDATE sagas SET status = $3, current_step = $4, data = $5, state = $6, version = version + 1,
         deadline_at = $7, wake_at = $8, reason = $9, updated_at = now()
       WHERE id = $1 AND version = $2 RETURNING id`,
      [state.sagaId, version, ...columns(state, wakeAt)],
      state,
      written,
    );
    if (!saved) throw new VersionConflict(`saga ${state.sagaId} changed since version ${version}`);
  },

  /** Whether a command (any attempt of it: they share the message id) still waits in the outbox, unpublished. */
  async unsent(commandId: string): Promise<boolean> {
    const { rowCount } = await db.query('SELECT 1 FROM outbox WHERE message_id = $1 LIMIT 1', [commandId]);
    return (rowCount ?? 0) > 0;
  },

  /** Whether any saga's timer is due: one statement, no lock (the idle timer poll, timers.ts). */
  async anyDue(now: number): Promise<boolean> {
    const { rowCount } = await db.query('SELECT 1 FROM sagas WHERE wake_at <= $1 LIMIT 1', [new Date(now)]);
    return (rowCount ?? 0) > 0;
  },

  /** Sagas whose timer is due, locked; rows another instance holds are skipped. */
  async due(now: number, limit: number): Promise<string[]> {
    const { rows } = await db.query<{ id: string }>(
      'SELECT id FROM sagas WHERE wake_at <= $1 ORDER BY wake_at LIMIT $2 FOR UPDATE SKIP LOCKED',
      [new Date(now), limit],
    );
    return rows.map((r) => r.id);
  },
});
