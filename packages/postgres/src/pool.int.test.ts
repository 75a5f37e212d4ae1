import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDatabase, type ScratchDb } from '@saga/testkit';
import pg from 'pg';
import { afterCommit, createPool, withTransaction } from './pool.ts';

let db: ScratchDb;
beforeAll(async () => {
  db = await scratchDatabase('pool');
});
afterAll(() => db.drop());

describe('createPool', () => {
  it('survives its idle connections being cut (a database restart): reports them and connects anew', async () => {
    const errors: Error[] = [];
    const pool = createPool(db.url, {
      max: 2,
      applicationName: 'pool-restart-test',
      onIdleError: (err) => errors.push(err),
    });
    try {
      await Promise.all([pool.query('SELECT pg_sleep(0.05)'), pool.query('SELECT pg_sleep(0.05)')]);
      expect(pool.idleCount).toBe(2);
      // What a restart does to every backend: terminate them (from another connection).
      const cut = await db.pool.query<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = 'pool-restart-test'`,
      );
      expect(cut.rows[0]!.n).toBe(2);
      for (let i = 0; i < 50 && errors.length < 2; i++) await sleep(20);
      expect(errors).toHaveLength(2);
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    } finally {
      await pool.end();
    }
  });

  it('a transaction whose connection is cut between statements fails; the process and the pool go on', async () => {
    const pool = createPool(db.url, { max: 1, applicationName: 'tx-restart-test' });
    try {
      const tx = withTransaction(pool, async (c) => {
        const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        await db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
        await sleep(200); // the connection dies while checked out and between statements
        await c.query('SELECT 1');
      });
      await expect(tx).rejects.toThrow();
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    } finally {
      await pool.end();
    }
  });
});

describe('afterCommit', () => {
  it('runs a hook once the transaction committed — its writes visible to others — and never after a rollback', async () => {
    await db.pool.query('CREATE TABLE IF NOT EXISTS hooked (n int)');
    const seen: number[] = [];
    const count = async () => (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM hooked')).rows[0]!.n;
    await withTransaction(db.pool, async (tx) => {
      await tx.query('INSERT INTO hooked VALUES (1)');
      expect(
        afterCommit(
          tx,
          (pool) =>
            void count()
              .then((n) => seen.push(n))
              .then(() => expect(pool).toBe(db.pool)),
        ),
      ).toBe(true);
      // Not yet: the hook waits for the COMMIT.
      await sleep(50);
      expect(seen).toEqual([]);
    });
    for (let i = 0; i < 50 && seen.length === 0; i++) await sleep(10);
    expect(seen).toEqual([1]);

    const rolledBack = withTransaction(db.pool, async (tx) => {
      await tx.query('INSERT INTO hooked VALUES (2)');
      afterCommit(tx, () => seen.push(-1));
      throw new Error('changed my mind');
    });
    await expect(rolledBack).rejects.toThrow('changed my mind');
    await sleep(50);
    expect(seen).toEqual([1]);
  });

  it('runs at once for a pool (its statements commit as they run), and declines a client it cannot see into', async () => {
    let ran = 0;
    expect(afterCommit(db.pool, () => ran++)).toBe(true);
    expect(ran).toBe(1);
    const client = new pg.Client({ connectionString: db.url });
    expect(afterCommit(client, () => ran++)).toBe(false);
    expect(ran).toBe(1);
  });

  it('a hook that throws does not fail the committed transaction', async () => {
    const result = await withTransaction(db.pool, async (tx) => {
      afterCommit(tx, () => {
        throw new Error('hook');
      });
      return 'done';
    });
    expect(result).toBe('done');
  });
});
