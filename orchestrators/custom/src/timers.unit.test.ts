import { describe, expect, it } from 'vitest';
import type { Pool, PoolClient, Queryable } from '@saga/postgres';
import { pollTimers, type TimerStore } from './timers.ts';

/** A pool that records what reaches the database: statements on the pool, and each transaction's. */
const recordingPool = () => {
  const log: string[] = [];
  const client = {
    query: async (text: string) => (log.push(`tx: ${text}`), { rows: [], rowCount: 0 }),
    on: () => client,
    off: () => client,
    release: () => log.push('released'),
  };
  const pool = {
    query: async (text: string) => (log.push(`pool: ${text}`), { rows: [], rowCount: 0 }),
    connect: async () => (log.push('connect'), client),
  };
  return { pool: pool as unknown as Pool, client: client as unknown as PoolClient, log };
};

/** A store over the recording pool: `due` answers `dueIds`, `anyDue` whether there are any. */
const storeOf =
  (dueIds: string[], seen: { now: number[] }) =>
  (db: Queryable): TimerStore => ({
    anyDue: async (now) => (seen.now.push(now), await db.query('anyDue'), dueIds.length > 0),
    due: async (now, limit) => (seen.now.push(now), await db.query('due'), dueIds.slice(0, limit)),
  });

describe('pollTimers', () => {
  it('nothing due: one statement on the pool, no transaction, nothing fired', async () => {
    const { pool, log } = recordingPool();
    const fired: string[] = [];
    const r = await pollTimers(pool, storeOf([], { now: [] }), 100, async (_tx, id) => (fired.push(id), id));
    expect(r).toEqual({ locked: 0, fired: [] });
    expect(log).toEqual(['pool: anyDue']);
    expect(fired).toEqual([]);
  });

  it('sagas due: locked and fired inside one transaction, at the same now, up to the limit', async () => {
    const { pool, client, log } = recordingPool();
    const seen = { now: [] as number[] };
    const firedIn: unknown[] = [];
    const r = await pollTimers(
      pool,
      storeOf(['a', 'b', 'c'], seen),
      2,
      async (tx, id) => (firedIn.push(tx), id === 'b' ? undefined : `t-${id}`),
    );
    expect(log).toEqual(['pool: anyDue', 'connect', 'tx: BEGIN', 'tx: due', 'tx: COMMIT', 'released']);
    expect(firedIn).toEqual([client, client]);
    expect(r).toEqual({ locked: 2, fired: ['t-a'] });
    expect(new Set(seen.now).size).toBe(1);
  });

  it('a failure while firing rolls the transaction back and reaches the caller', async () => {
    const { pool, log } = recordingPool();
    await expect(
      pollTimers(pool, storeOf(['a'], { now: [] }), 100, async () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    expect(log).toEqual(['pool: anyDue', 'connect', 'tx: BEGIN', 'tx: due', 'tx: ROLLBACK', 'released']);
  });
});
