import { readFileSync } from 'node:fs';
import pg from 'pg';

/**
 * IO beside CPU (issue 42): an engine that checkpoints every step pays in fsyncs and bytes, not
 * only in CPU. Sampled before and after a step: PostgreSQL's WAL (bytes from the WAL position,
 * writes and syncs from `pg_stat_wal`; the whole server) and the bytes each server process caused to be written to storage
 * (`/proc/<pid>/io` `write_bytes`: Kafka, Restate, Temporal's stores).
 */
export interface IoSample {
  walBytes: number;
  walWrites: number;
  walSyncs: number;
  /** `write_bytes` per part, summed over its pids (a pid that is gone counts 0). */
  writeBytes: Record<string, number>;
}

/** Bytes a process caused to be written to storage so far, or 0 when it is gone or unreadable. */
export const writeBytesOf = (pid: number): number => {
  try {
    const m = /^write_bytes:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
};

export const ioSample = async (postgresUrl: string, parts: Record<string, number[]>): Promise<IoSample> => {
  const client = new pg.Client({ connectionString: postgresUrl, application_name: 'bench-io' });
  await client.connect();
  try {
    const { rows } = await client.query<{ b: string; w: string; s: string }>(
      // Bytes from the WAL position itself (exact, at once); writes and syncs from pg_stat_wal, which
      // a backend adds to when it goes idle (within about a second: PostgreSQL's PGSTAT_MIN_INTERVAL).
      "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint::text AS b, wal_write::text AS w, wal_sync::text AS s FROM pg_stat_wal",
    );
    return {
      walBytes: Number(rows[0]!.b),
      walWrites: Number(rows[0]!.w),
      walSyncs: Number(rows[0]!.s),
      writeBytes: Object.fromEntries(
        Object.entries(parts).map(([k, pids]) => [k, pids.reduce((a, p) => a + writeBytesOf(p), 0)]),
      ),
    };
  } finally {
    await client.end();
  }
};

/** IO per saga between two samples: WAL bytes, WAL syncs and each part's bytes written, each divided by `sagas`. */
export interface IoPerSaga {
  walBytes: number;
  walSyncs: number;
  writeBytes: Record<string, number>;
}

export const ioPerSaga = (a: IoSample, b: IoSample, sagas: number): IoPerSaga => {
  const per = (x: number) => Math.round((x / Math.max(1, sagas)) * 100) / 100;
  return {
    walBytes: per(b.walBytes - a.walBytes),
    walSyncs: per(b.walSyncs - a.walSyncs),
    writeBytes: Object.fromEntries(
      Object.keys(b.writeBytes).map((k) => [k, per((b.writeBytes[k] ?? 0) - (a.writeBytes[k] ?? 0))]),
    ),
  };
};
