import { withTransaction, type Pool, type PoolClient, type Queryable } from '@saga/postgres';

export interface TimerStore {
  /** Whether any saga's timer is due (no lock taken). */
  anyDue(now: number): Promise<boolean>;
  /** The due sagas, locked for this transaction; rows another instance holds are skipped. */
  due(now: number, limit: number): Promise<string[]>;
}

/**
 * One look for due timers. The poll runs every `TIMER_POLL_MS` whether sagas move or not and
 * nearly always finds nothing due (replies drive the saga; timers are its safety net), so it first
 * asks with one statement outside any transaction, and only when something is due opens the
 * transaction that locks the due sagas (SKIP LOCKED: instances share them without overlap) and
 * fires each — an idle poll is one round trip, not three (BEGIN, SELECT … FOR UPDATE, COMMIT;
 * ADR 0015 decision 7). Returns how many sagas it locked and what firing them gave, to act on
 * after the commit.
 */
export const pollTimers = async <T>(
  pool: Pool,
  store: (db: Queryable) => TimerStore,
  limit: number,
  fire: (tx: PoolClient, sagaId: string) => Promise<T | undefined>,
): Promise<{ locked: number; fired: T[] }> => {
  const now = Date.now();
  if (!(await store(pool).anyDue(now))) return { locked: 0, fired: [] };
  return withTransaction(pool, async (tx) => {
    const ids = await store(tx).due(now, limit);
    const fired: T[] = [];
    for (const id of ids) {
      const t = await fire(tx, id);
      if (t !== undefined) fired.push(t);
    }
    return { locked: ids.length, fired };
  });
};
