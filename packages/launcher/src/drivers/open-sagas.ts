import { databaseUrl } from '@saga/config';
import { TERMINAL_STATUSES } from '@saga/contracts';
import { databaseExists, withClient } from '@saga/postgres';

/**
 * The sagas of a coordinator's table that are not finished (count, and the oldest `limit` ids):
 * none when its database or table was never created (the coordinator never ran there).
 */
export const openSagas = async (postgresUrl: string, database: string, table: string, limit: number) => {
  if (!(await databaseExists(postgresUrl, database))) return { count: 0, ids: [] };
  return withClient(databaseUrl(postgresUrl, database), async (db) => {
    if ((await db.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [table])).rows[0]!.t === null)
      return { count: 0, ids: [] };
    const open = 'status <> ALL($1::text[])';
    const n = (
      await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${open}`, [TERMINAL_STATUSES])
    ).rows[0]!.n;
    const ids = (
      await db.query<{ id: string }>(`SELECT id FROM ${table} WHERE ${open} ORDER BY created_at LIMIT $2`, [
        TERMINAL_STATUSES,
        limit,
      ])
    ).rows.map((r) => r.id);
    return { count: n, ids };
  });
};
