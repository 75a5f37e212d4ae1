import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDatabase, type ScratchDb } from '@saga/testkit';
import { PENDING_TTL_MS, sweepPendingCommands } from './activities.ts';

let db: ScratchDb;
beforeAll(async () => {
  db = await scratchDatabase('pending', [{ dir: fileURLToPath(new URL('../migrations', import.meta.url)), table: 'pgmigrations' }]);
});
afterAll(() => db.drop());

describe('pending-command sweep', () => {
  it('deletes the rows untouched for longer than the TTL (a kept reply nobody came for), and only those', async () => {
    const token = Buffer.from('token');
    await db.pool.query(
      `INSERT INTO pending_commands (command_id, task_token, result, updated_at) VALUES
         ('old-with-reply', $1, '{"outcome":"SUCCESS"}', now() - make_interval(secs => $2)),
         ('old-waiting', $1, NULL, now() - make_interval(secs => $2)),
         ('fresh-with-reply', $1, '{"outcome":"SUCCESS"}', now() - interval '5 seconds'),
         ('fresh-waiting', $1, NULL, now())`,
      [token, PENDING_TTL_MS / 1000 + 60],
    );
    expect(await sweepPendingCommands(db.pool)).toBe(2);
    const { rows } = await db.pool.query<{ command_id: string }>('SELECT command_id FROM pending_commands ORDER BY command_id');
    expect(rows.map((r) => r.command_id)).toEqual(['fresh-waiting', 'fresh-with-reply']);
    expect(await sweepPendingCommands(db.pool)).toBe(0);
  });
});
