import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl } from '@saga/config';
import { dropDatabase } from '@saga/postgres';
import { servers, testKafka, waitFor, type Workbench } from '@saga/testkit';
import { spawnProcess } from '@saga/testkit/process';
import { orchestratorEnv, workbench } from '@saga/testkit/all-services';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const kafka = testKafka('custom-recovery');

/** A custom orchestrator as its own process, so it can be killed -9 by its pid. */
const spawnOrchestrator = (env: Record<string, string>) =>
  spawnProcess(main, (port) => ({ ...env, INSTANCE_ID: `custom-${port}` }), 'ORCHESTRATOR_PORT', {
    what: 'the orchestrator',
    timeoutMs: 60_000,
  });

describe('custom orchestrator recovery (Kafka transport)', () => {
  let wb: Workbench;
  let env: Record<string, string>;
  let db: pg.Pool;
  const spawned: { kill(): Promise<void> }[] = [];

  beforeAll(async () => {
    wb = await workbench(kafka);
    env = orchestratorEnv(wb.env(), {
      SAGA_STEP_ATTEMPTS: '8',
      SAGA_COMPENSATION_ATTEMPTS: '25',
      SAGA_DEADLINE_MS: '120000',
    });
    await wb.seedStock([{ sku: 'bulk', quantity: 100_000 }]);
    await wb.seedCustomers([
      { id: 'rich', creditLimitCents: 1_000_000_000 },
      { id: 'poor', creditLimitCents: 10 },
    ]);
    db = new pg.Pool({ connectionString: databaseUrl(servers.POSTGRES_URL, env.ORCHESTRATOR_DATABASE!) });
  });
  afterAll(async () => {
    for (const s of spawned) await s.kill();
    await db.end();
    await wb.close();
    await dropDatabase(servers.POSTGRES_URL, env.ORCHESTRATOR_DATABASE!);
  });

  const start = async () => {
    const o = await spawnOrchestrator(env);
    spawned.push(o);
    return o;
  };
  const sagasLeft = async (ids: string[]) =>
    Number(
      (
        await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM sagas WHERE id = ANY($1) AND status NOT IN ('COMPLETED', 'REJECTED')`,
          [ids],
        )
      ).rows[0]!.n,
    );
  const sagaCount = async (ids: string[]) =>
    Number(
      (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM sagas WHERE id = ANY($1)', [ids])).rows[0]!.n,
    );
  /** 200 orders, one in ten declined by payment, placed 20 at a time. */
  const place200 = async () => {
    const ids: string[] = [];
    for (let batch = 0; batch < 10; batch++) {
      ids.push(
        ...(await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            wb.placeOrder((batch * 20 + i) % 10 === 0 ? 'poor' : 'rich', [
              { sku: 'bulk', quantity: 1, unitPriceCents: 100 },
            ]),
          ),
        )),
      );
    }
    return ids;
  };
  const allFinished = async (ids: string[], timeoutMs: number) => {
    await waitFor(
      'every saga to finish',
      async () => (await sagaCount(ids)) === ids.length && (await sagasLeft(ids)) === 0,
      timeoutMs,
    );
    expect(await wb.violations(ids)).toEqual([]);
    const statuses = await wb.waitTerminal(ids);
    expect([...statuses.values()].filter((s) => s === 'REJECTED')).toHaveLength(20);
  };

  it('kill -9 while 200 sagas are in flight, restart: every saga terminal, no duplicate effect', async () => {
    const first = await start();
    const ids = await place200();
    await waitFor('some sagas to finish', async () => (await sagaCount(ids)) - (await sagasLeft(ids)) >= 20, 60_000);
    const inFlight = await sagasLeft(ids);
    await first.kill();
    expect(inFlight).toBeGreaterThan(0);
    await start();
    await allFinished(ids, 120_000);
  });

  it('two instances under load, one killed and not restarted: the other finishes every saga', async () => {
    const [a] = [await start(), await start()];
    const ids = await place200();
    await waitFor('some sagas to finish', async () => (await sagaCount(ids)) - (await sagasLeft(ids)) >= 20, 60_000);
    await a.kill();
    await allFinished(ids, 120_000);
    const instances = await db.query<{ instance: string }>(
      'SELECT DISTINCT instance FROM saga_history WHERE saga_id = ANY($1)',
      [ids],
    );
    expect(instances.rowCount).toBeGreaterThanOrEqual(2);
  });
});

describe('custom orchestrator with the payment service down (Kafka transport)', () => {
  let wb: Workbench;
  let env: Record<string, string>;
  let db: pg.Pool;
  let orch: Awaited<ReturnType<typeof spawnOrchestrator>>;

  beforeAll(async () => {
    wb = await workbench(kafka);
    // Authorize budget: 8 attempts of 1 s plus backoffs (0.2 s doubling, capped at 5 s) ≈ 15–20 s.
    env = orchestratorEnv(wb.env(), {
      SAGA_STEP_ATTEMPTS: '8',
      SAGA_COMPENSATION_ATTEMPTS: '25',
      SAGA_DEADLINE_MS: '120000',
    });
    await wb.seedStock([{ sku: 'bulk', quantity: 1_000 }]);
    await wb.seedCustomers([{ id: 'rich', creditLimitCents: 1_000_000_000 }]);
    db = new pg.Pool({ connectionString: databaseUrl(servers.POSTGRES_URL, env.ORCHESTRATOR_DATABASE!) });
    orch = await spawnOrchestrator(env);
  });
  afterAll(async () => {
    await orch.kill();
    await db.end();
    await wb.close();
    await dropDatabase(servers.POSTGRES_URL, env.ORCHESTRATOR_DATABASE!);
  });

  const statusOf = async (ids: string[]) =>
    (await db.query<{ status: string }>('SELECT status FROM sagas WHERE id = ANY($1)', [ids])).rows.map(
      (r) => r.status,
    );
  const order = () => wb.placeOrder('rich', [{ sku: 'bulk', quantity: 1, unitPriceCents: 100 }]);

  it('down for 10 s: the sagas retry and then complete', async () => {
    await wb.stopService('payment');
    const ids = await Promise.all(Array.from({ length: 10 }, order));
    await new Promise((r) => setTimeout(r, 10_000));
    expect(await statusOf(ids)).toEqual(Array(10).fill('RUNNING'));
    await wb.restartService('payment');
    await waitFor('every saga to complete', async () => (await statusOf(ids)).every((s) => s === 'COMPLETED'), 60_000);
    expect(await wb.violations(ids)).toEqual([]);
  });

  it('down past the retry budget: the sagas compensate (and finish once payment is back to void)', async () => {
    await wb.stopService('payment');
    const ids = await Promise.all(Array.from({ length: 5 }, order));
    // Every saga must exist first: `every` on no rows yet would pass at once, and the test would
    // restart payment before any saga had given up on it.
    const all = (status: string) => async () => {
      const s = await statusOf(ids);
      return s.length === ids.length && s.every((x) => x === status);
    };
    await waitFor('the sagas to give up on payment and compensate', all('COMPENSATING'), 60_000);
    await wb.restartService('payment');
    await waitFor('every saga to be rejected', all('REJECTED'), 60_000);
    expect(await wb.violations(ids)).toEqual([]);
    const reasons = await db.query<{ reason: string }>('SELECT DISTINCT reason FROM sagas WHERE id = ANY($1)', [ids]);
    expect(reasons.rows.map((r) => r.reason)).toEqual(['RETRIES_EXHAUSTED:authorizePayment']);
  });
});
