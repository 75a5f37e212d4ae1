import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDatabase, type ScratchDb } from '@saga/testkit';
import { completeFromReply, PENDING_TTL_MS, sweepPendingCommands } from './activities.ts';
import type { CommandResult } from './shared.ts';

let db: ScratchDb;
beforeAll(async () => {
  db = await scratchDatabase('pending', [
    { dir: fileURLToPath(new URL('../migrations', import.meta.url)), table: 'pgmigrations' },
  ]);
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
    const { rows } = await db.pool.query<{ command_id: string }>(
      'SELECT command_id FROM pending_commands ORDER BY command_id',
    );
    expect(rows.map((r) => r.command_id)).toEqual(['fresh-waiting', 'fresh-with-reply']);
    expect(await sweepPendingCommands(db.pool)).toBe(0);
  });
});

describe('reply bridge (Kafka transport)', () => {
  const success: CommandResult = { outcome: 'SUCCESS' };
  const rowOf = async (commandId: string) =>
    (
      await db.pool.query<{ task_token: Buffer; result: CommandResult | null }>(
        'SELECT task_token, result FROM pending_commands WHERE command_id = $1',
        [commandId],
      )
    ).rows[0];

  it('a bridge killed while completing leaves the reply to its redelivery, which completes the waiting attempt', async () => {
    await db.pool.query('INSERT INTO pending_commands (command_id, task_token) VALUES ($1, $2)', [
      'killed-mid-reply',
      Buffer.from('attempt-1'),
    ]);
    // The first bridge dies inside complete: its promise never settles and nothing after it runs.
    let entered!: () => void;
    const inComplete = new Promise<void>((r) => (entered = r));
    void completeFromReply(
      db.pool,
      () => {
        entered();
        return new Promise<never>(() => undefined);
      },
      'killed-mid-reply',
      success,
    );
    await inComplete;
    // Its offset was never committed, so the next bridge instance gets the same reply.
    const completed: string[] = [];
    const outcome = await completeFromReply(
      db.pool,
      async (token) => void completed.push(Buffer.from(token).toString()),
      'killed-mid-reply',
      success,
    );
    expect(outcome).toBe('completed');
    expect(completed).toEqual(['attempt-1']);
    expect(await rowOf('killed-mid-reply')).toBeUndefined();
  });

  it('keeps the result for the next attempt when the attempt no longer waits, and ignores a reply nobody waits for', async () => {
    await db.pool.query('INSERT INTO pending_commands (command_id, task_token) VALUES ($1, $2)', [
      'timed-out',
      Buffer.from('attempt-1'),
    ]);
    const gone = async () => {
      throw new Error('activity not found');
    };
    expect(await completeFromReply(db.pool, gone, 'timed-out', { outcome: 'FAILURE', reason: 'OUT_OF_STOCK' })).toBe(
      'kept',
    );
    expect((await rowOf('timed-out'))?.result).toEqual({ outcome: 'FAILURE', reason: 'OUT_OF_STOCK' });
    let called = false;
    expect(await completeFromReply(db.pool, async () => void (called = true), 'never-sent', success)).toBe('unknown');
    expect(called).toBe(false);
  });
});
