import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStackSettings } from '@saga/stack';
import { scratchDatabase, servers, waitFor } from '@saga/testkit';
import { pgbenchTps } from './calibration.ts';
import { ioPerSaga, ioSample, writeBytesOf } from './io.ts';

/**
 * The machine's calibration and the IO meter against the stack's real PostgreSQL: pgbench scores
 * the service-like transaction and leaves no database behind; `pg_stat_wal` and `/proc/<pid>/io`
 * move when a transaction commits and a file is synced.
 */
describe('calibration and IO, on the real PostgreSQL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'io-int-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("scores pgbench's service-like transaction and drops its scratch database", async () => {
    const stack = loadStackSettings();
    const tps = await pgbenchTps({ pgBin: stack.PG_BIN_DIR, postgresUrl: servers.POSTGRES_URL, seconds: 1, runs: 1 });
    expect(tps).toBeGreaterThan(10);
    const client = new pg.Client({ connectionString: servers.POSTGRES_URL });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT datname FROM pg_database WHERE datname LIKE 'calibration_%'");
      expect(rows).toEqual([]);
    } finally {
      await client.end();
    }
  });

  it('counts the WAL bytes and syncs of committed transactions, and the bytes a process wrote', async () => {
    const db = await scratchDatabase('io_int');
    try {
      await db.pool.query('CREATE TABLE t (id serial PRIMARY KEY, body text NOT NULL)');
      const before = await ioSample(servers.POSTGRES_URL, { harness: [process.pid] });
      // 50 commits, each a WAL flush (the stack's PostgreSQL commits synchronously); a file written and synced by this process.
      for (let i = 0; i < 50; i++) await db.pool.query('INSERT INTO t (body) VALUES ($1)', [`row ${i}`]);
      const fd = openSync(join(dir, 'written'), 'w');
      writeSync(fd, Buffer.alloc(1 << 20, 1));
      fsyncSync(fd);
      closeSync(fd);
      // The WAL position moves at once; pg_stat_wal's syncs once the backend has gone idle and reported them.
      let after = await ioSample(servers.POSTGRES_URL, { harness: [process.pid] });
      expect(after.walBytes - before.walBytes).toBeGreaterThan(50 * 100);
      await waitFor('pg_stat_wal to count the commits', async () => {
        after = await ioSample(servers.POSTGRES_URL, { harness: [process.pid] });
        return after.walSyncs - before.walSyncs >= 25;
      });
      const per = ioPerSaga(before, after, 50);
      expect(per.walBytes).toBeGreaterThan(100);
      expect(per.walSyncs).toBeGreaterThanOrEqual(0.5);
      expect(per.writeBytes.harness! * 50).toBeGreaterThanOrEqual(1 << 20);
      expect(writeBytesOf(2 ** 30)).toBe(0); // a pid that is gone counts 0
    } finally {
      await db.drop();
    }
  });
});
