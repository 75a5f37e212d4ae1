import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDatabase, type ScratchDb } from '@saga/testkit';
import { createPool, withTransaction } from './pool.ts';

let db: ScratchDb;
beforeAll(async () => {
  db = await scratchDatabase('pool');
});
afterAll(() => db.drop());

describe('createPool', () => {
  it('survives its idle connections being cut (a database restart): reports them and connects anew', async () => {
    const errors: Error[] = [];
    const pool = createPool(db.url, { max: 2, applicationName: 'pool-restart-test', onIdleError: (err) => errors.push(err) });
    try {
      await Promise.all([pool.query('SELECT pg_sleep(0.05)'), pool.query('SELECT pg_sleep(0.05)')]);
      expect(pool.idleCount).toBe(2);
      // What a restart does to every backend: terminate them (from another connection).
      const cut = await db.pool.query<{ n: number }>(`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = 'pool-restart-test'`);
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
