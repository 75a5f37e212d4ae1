import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { databaseUrl } from '@saga/config';
import { dropDatabase, ensureDatabase } from '@saga/postgres';

const run = promisify(execFile);

/**
 * What this machine could do when the run started, so that two runs on two machines can be set
 * side by side (issue 42): absolute figures do not travel, a capacity divided by these does
 * better. Three short probes (~25 s in all):
 * - `cpuLoopMs`: a fixed integer loop on one core, the median of three (lower is faster);
 * - `fdatasyncPerSecond`: `pg_test_fsync`'s fdatasync rate on the data directory's disk — what a
 *   commit waits for;
 * - `pgbenchTps`: `pgbench` of a service-like transaction (a row locked and updated, a row
 *   inserted) on the stack's PostgreSQL, 2 clients, 3 s, the median of three.
 */
export interface Calibration {
  cpuLoopMs: number;
  fdatasyncPerSecond: number | null;
  pgbenchTps: number | null;
  /** Why a probe gave nothing, when one did. */
  notes: string[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** 2·10⁸ rounds of an xorshift: ~0.3–1 s on one core of this kind of machine. */
export const cpuLoopMs = () => {
  const t0 = performance.now();
  let x = 2463534242;
  for (let i = 0; i < 200_000_000; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  if (x === 0) throw new Error('unreachable');
  return Math.round(performance.now() - t0);
};

/** pgbench's script: the service-like transaction (a hold-like row locked and updated, a history row added). */
const SCRIPT = `\\set id random(1, 1000)
BEGIN;
SELECT held FROM calib_accounts WHERE id = :id FOR UPDATE;
UPDATE calib_accounts SET held = held + 1 WHERE id = :id;
INSERT INTO calib_history (account_id) VALUES (:id);
COMMIT;
`;

/** `pg_test_fsync`'s fdatasync rate for one 8 kB write (the first fdatasync line), or null. */
export const fdatasyncOf = (stdout: string) => {
  const m = /fdatasync\s+([\d,.]+) ops\/sec/.exec(stdout);
  return m ? Math.round(Number(m[1]!.replace(/,/g, ''))) : null;
};
/** pgbench's tps line, or null. */
export const tpsOf = (stdout: string) => {
  const m = /tps = ([\d.]+)/.exec(stdout);
  return m ? Number(m[1]) : null;
};

/**
 * The pgbench score: the service-like transaction on a scratch database of the server at
 * `postgresUrl`, 2 clients, `seconds` each of `runs` runs, the median; the database dropped after.
 */
export const pgbenchTps = async (o: { pgBin: string; postgresUrl: string; seconds: number; runs: number }) => {
  const db = `calibration_${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'calibration-'));
  try {
    await ensureDatabase(o.postgresUrl, db);
    const url = databaseUrl(o.postgresUrl, db);
    await run(join(o.pgBin, 'psql'), [
      url,
      '-q',
      '-c',
      'CREATE TABLE calib_accounts (id int PRIMARY KEY, held bigint NOT NULL DEFAULT 0); ' +
        'INSERT INTO calib_accounts (id) SELECT generate_series(1, 1000); ' +
        'CREATE TABLE calib_history (id bigserial PRIMARY KEY, account_id int NOT NULL, at timestamptz DEFAULT now());',
    ]);
    const script = join(dir, 'service-like.sql');
    writeFileSync(script, SCRIPT);
    const scores: number[] = [];
    for (let i = 0; i < o.runs; i++) {
      const { stdout } = await run(join(o.pgBin, 'pgbench'), [
        '-n',
        '-c',
        '2',
        '-j',
        '1',
        '-T',
        String(o.seconds),
        '-f',
        script,
        url,
      ]);
      const tps = tpsOf(stdout);
      if (tps !== null) scores.push(tps);
    }
    return scores.length ? Math.round(median(scores)) : null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await dropDatabase(o.postgresUrl, db).catch(() => undefined);
  }
};

export const calibrate = async (o: { pgBin: string; postgresUrl: string; dataDir: string }): Promise<Calibration> => {
  const notes: string[] = [];
  const cpu = median([cpuLoopMs(), cpuLoopMs(), cpuLoopMs()]);

  let fdatasync: number | null = null;
  try {
    // One pass (its many methods take ~15 s at 1 s each); the fdatasync line is the first one.
    const { stdout } = await run(join(o.pgBin, 'pg_test_fsync'), [
      '-s',
      '1',
      '-f',
      join(o.dataDir, 'calibration.fsync'),
    ]);
    fdatasync = fdatasyncOf(stdout);
    if (fdatasync === null) notes.push('pg_test_fsync printed no fdatasync rate');
  } catch (err) {
    notes.push(`pg_test_fsync: ${(err as Error).message.split('\n')[0]}`);
  }

  let tps: number | null = null;
  try {
    tps = await pgbenchTps({ pgBin: o.pgBin, postgresUrl: o.postgresUrl, seconds: 3, runs: 3 });
    if (tps === null) notes.push('pgbench printed no tps');
  } catch (err) {
    notes.push(`pgbench: ${(err as Error).message.split('\n')[0]}`);
  }
  return { cpuLoopMs: cpu, fdatasyncPerSecond: fdatasync, pgbenchTps: tps, notes };
};
