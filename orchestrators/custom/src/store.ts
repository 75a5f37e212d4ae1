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

/** Postgres adapter of the custom orchestrator: instances, their history, their timers. */
export const sagaStore = <D>(db: Queryable, definition: string) => ({
  /** Inserts a new saga; false when one with that id exists (a duplicate start). */
  async insert(state: SagaState<D>, wakeAt: number | null): Promise<boolean> {
    const { rowCount } = await db.query(
      `INSERT INTO sagas (id, definition, status, current_step, data, state, version, deadline_at, wake_at, reason)
       VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
      [state.sagaId, definition, state.status, state.current?.action ?? null, JSON.stringify(state.data), JSON.stringify(state), toDate(state.deadlineAt), toDate(wakeAt), state.reason],
    );
    return rowCount === 1;
  },

  async load(id: string): Promise<StoredSaga<D> | undefined> {
    const { rows } = await db.query<{ state: SagaState<D>; version: number }>('SELECT state, version FROM sagas WHERE id = $1', [id]);
    return rows[0];
  },

  /** Saves a transition's state if nobody else did since `version` was read. */
  async save(state: SagaState<D>, version: number, wakeAt: number | null) {
    const { rowCount } = await db.query(
      `UPDATE sagas SET status = $3, current_step = $4, data = $5, state = $6, version = version + 1,
         deadline_at = $7, wake_at = $8, reason = $9, updated_at = now()
       WHERE id = $1 AND version = $2`,
      [state.sagaId, version, state.status, state.current?.action ?? null, JSON.stringify(state.data), JSON.stringify(state), toDate(state.deadlineAt), toDate(wakeAt), state.reason],
    );
    if (rowCount !== 1) throw new VersionConflict(`saga ${state.sagaId} changed since version ${version}`);
  },

  async history(id: string, from: SagaStatus | null, to: SagaStatus, entries: HistoryEntry[], instance: string) {
    if (entries.length === 0) return;
    await db.query(
      `INSERT INTO saga_history (saga_id, cause, from_status, to_status, step, command_id, reply_id, detail, instance)
       SELECT $1, e.cause, $2, $3, e.step, e.command_id, e.reply_id, e.detail, $4
       FROM jsonb_to_recordset($5::jsonb) AS e(cause text, step text, command_id text, reply_id text, detail text)`,
      [id, from, to, instance, JSON.stringify(entries.map((e) => ({ cause: e.cause, step: e.action, command_id: e.commandId, reply_id: e.replyId, detail: e.detail })))],
    );
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
