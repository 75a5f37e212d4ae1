import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDatabase, type ScratchDb } from '@saga/testkit';
import { processOnce } from './inbox.ts';
import { outboxMigrations } from './outbox.ts';

let db: ScratchDb;
beforeAll(async () => {
  db = await scratchDatabase('inbox', [outboxMigrations]);
  await db.pool.query('CREATE TABLE effects (message_id text, n int)');
});
afterAll(() => db.drop());

const effects = async (id: string) =>
  Number(
    (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM effects WHERE message_id = $1', [id])).rows[0]!
      .n,
  );

const act = (id: string, calls: { n: number }) =>
  processOnce(db.pool, 'test-consumer', id, async (tx) => {
    calls.n++;
    await tx.query('INSERT INTO effects VALUES ($1, $2)', [id, calls.n]);
    return { outcome: { reserved: 3, call: calls.n } };
  });

describe('inbox', () => {
  it('acts once for a message delivered twice and returns the same outcome', async () => {
    const calls = { n: 0 };
    const first = await act('m-1', calls);
    const second = await act('m-1', calls);
    expect(first).toEqual({ duplicate: false, outcome: { reserved: 3, call: 1 } });
    expect(second).toEqual({ duplicate: true, outcome: { reserved: 3, call: 1 } });
    expect(calls.n).toBe(1);
    expect(await effects('m-1')).toBe(1);
  });

  it('acts once when ten copies arrive at the same time', async () => {
    const calls = { n: 0 };
    const results = await Promise.all(Array.from({ length: 10 }, () => act('m-2', calls)));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    for (const r of results) expect(r.outcome).toEqual({ reserved: 3, call: 1 });
    expect(await effects('m-2')).toBe(1);
  });

  it('gives a redelivery the stored outcome when its handler now decides otherwise, and keeps none of its writes', async () => {
    await act('m-6', { n: 0 });
    const late = await processOnce(db.pool, 'test-consumer', 'm-6', async (tx) => {
      await tx.query("INSERT INTO effects VALUES ('m-6', 99)");
      return {
        outcome: { refused: true },
        outbox: [{ topic: 't.replies', key: 'saga-6', messageId: 'reply:m-6', payload: { refused: true } }],
      };
    });
    expect(late).toEqual({ duplicate: true, outcome: { reserved: 3, call: 1 } });
    expect(await effects('m-6')).toBe(1);
    expect((await db.pool.query("SELECT 1 FROM outbox WHERE key = 'saga-6'")).rowCount).toBe(0);
  });

  it('gives a redelivery the stored outcome when its handler throws', async () => {
    await act('m-7', { n: 0 });
    const late = await processOnce(db.pool, 'test-consumer', 'm-7', async () => {
      throw new Error('that reservation is gone');
    });
    expect(late).toEqual({ duplicate: true, outcome: { reserved: 3, call: 1 } });
  });

  it('records nothing when the handler fails, so the redelivery acts', async () => {
    await expect(
      processOnce(db.pool, 'test-consumer', 'm-3', async (tx) => {
        await tx.query("INSERT INTO effects VALUES ('m-3', 0)");
        throw new Error('database hiccup');
      }),
    ).rejects.toThrow('database hiccup');
    expect(await effects('m-3')).toBe(0);
    const retry = await act('m-3', { n: 0 });
    expect(retry.duplicate).toBe(false);
    expect(await effects('m-3')).toBe(1);
  });

  it("stores the outcome and appends the handler's outbox messages together, once", async () => {
    const message = { topic: 't.replies', key: 'saga-5', messageId: 'reply:m-5', payload: { ok: true } };
    const run = () =>
      processOnce(db.pool, 'test-consumer', 'm-5', async () => ({
        outcome: 'done',
        outbox: [message, { ...message, messageId: 'event:m-5' }],
      }));
    await run();
    expect((await run()).duplicate).toBe(true);
    const { rows } = await db.pool.query<{ message_id: string; payload: unknown }>(
      "SELECT message_id, payload FROM outbox WHERE key = 'saga-5' ORDER BY id",
    );
    expect(rows).toEqual([
      { message_id: 'reply:m-5', payload: { ok: true } },
      { message_id: 'event:m-5', payload: { ok: true } },
    ]);
    const stored = await db.pool.query(
      "SELECT outcome FROM inbox WHERE consumer = 'test-consumer' AND message_id = 'm-5'",
    );
    expect(stored.rows[0]).toEqual({ outcome: 'done' });
  });

  it('keeps consumers apart: the same message id for two consumers acts for each', async () => {
    const a = await processOnce(db.pool, 'consumer-a', 'm-4', async () => ({ outcome: 'a' }));
    const b = await processOnce(db.pool, 'consumer-b', 'm-4', async () => ({ outcome: 'b' }));
    expect([a.duplicate, b.duplicate]).toEqual([false, false]);
    expect([a.outcome, b.outcome]).toEqual(['a', 'b']);
  });
});
