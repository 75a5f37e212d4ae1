import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseStock, ReserveStock } from '@saga/contracts';
import {
  command,
  describeServiceContract,
  postCommand,
  startTestService,
  testKafka,
  TEST_ADMIN_TOKEN,
  type TestService,
} from '@saga/testkit';
import { inventoryService } from './service.ts';
import { inventoryStore } from './store.ts';

type Reserve = typeof ReserveStock._output;
type Release = typeof ReleaseStock._output;

const seed = (svc: TestService, lines: { sku: string; quantity: number }[]) =>
  fetch(`${svc.url}/admin/stock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    body: JSON.stringify(lines),
  });

const reserve = (saga: string, lines: { sku: string; quantity: number }[]) =>
  command<Reserve>('ReserveStock', saga, { orderId: saga, lines });

describeServiceContract({
  spec: inventoryService,
  prepare: async (svc, saga) => void (await seed(svc, [{ sku: `sku-${saga}`, quantity: 5 }])),
  validCommand: (saga) => reserve(saga, [{ sku: `sku-${saga}`, quantity: 2 }]),
  effects: async (svc, saga) =>
    Number(
      (
        await svc.ctx.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM reservations WHERE order_id = $1', [
          saga,
        ])
      ).rows[0]!.n,
    ),
});

describe('inventory domain over the real database', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(inventoryService, testKafka('inventory-domain'));
  });
  afterAll(() => svc.close());
  const product = (sku: string) => inventoryStore(svc.ctx.pool).product(sku);

  it('never oversells: 50 concurrent reservations of a sku with 10 on hand', async () => {
    expect((await seed(svc, [{ sku: 'scarce', quantity: 10 }])).status).toBe(204);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        postCommand(svc.url, reserve(`scarce-${i}`, [{ sku: 'scarce', quantity: 1 }])),
      ),
    );
    const outcomes = results.map((r) => r.body.payload.outcome);
    expect(outcomes.filter((o) => o === 'SUCCESS')).toHaveLength(10);
    expect(outcomes.filter((o) => o === 'FAILURE')).toHaveLength(40);
    expect(await product('scarce')).toEqual({ sku: 'scarce', onHand: 0, reserved: 10, committed: 0, seeded: 10 });
  });

  it('reserves every line or none, naming the short skus', async () => {
    await seed(svc, [
      { sku: 'p1', quantity: 5 },
      { sku: 'p2', quantity: 1 },
    ]);
    const res = await postCommand(
      svc.url,
      reserve('all-or-none', [
        { sku: 'p1', quantity: 2 },
        { sku: 'p2', quantity: 3 },
        { sku: 'nope', quantity: 1 },
      ]),
    );
    expect(res.body.payload).toMatchObject({
      outcome: 'FAILURE',
      reason: 'OUT_OF_STOCK',
      detail: 'not enough on hand: p2; unknown sku: nope',
    });
    expect((await product('p1'))!.onHand).toBe(5);
    expect((await product('p2'))!.onHand).toBe(1);
  });

  it('releases exactly what the saga reserved; a repeated release is a no-op', async () => {
    await seed(svc, [{ sku: 'r1', quantity: 10 }]);
    await postCommand(svc.url, reserve('rel', [{ sku: 'r1', quantity: 3 }]));
    await postCommand(svc.url, reserve('other', [{ sku: 'r1', quantity: 2 }]));
    const release = () => postCommand(svc.url, command<Release>('ReleaseStock', 'rel', { orderId: 'rel' }));
    expect((await release()).body.payload).toMatchObject({
      outcome: 'SUCCESS',
      data: { released: [{ sku: 'r1', quantity: 3 }] },
    });
    expect((await release()).body.payload).toMatchObject({ outcome: 'SUCCESS', data: { released: [] } });
    expect(await product('r1')).toMatchObject({ onHand: 8, reserved: 2 });
  });

  it('refuses a ReserveStock that arrives after its saga was compensated (no leaked stock)', async () => {
    await seed(svc, [{ sku: 'late', quantity: 4 }]);
    await postCommand(svc.url, command<Release>('ReleaseStock', 'late-saga', { orderId: 'late-saga' }));
    const res = await postCommand(svc.url, reserve('late-saga', [{ sku: 'late', quantity: 1 }]));
    expect(res.body.payload).toMatchObject({ outcome: 'FAILURE', reason: 'ORDER_RELEASED' });
    expect(await product('late')).toMatchObject({ onHand: 4, reserved: 0 });
  });

  it('commits reserved stock on approval, conserving the total', async () => {
    await seed(svc, [{ sku: 'c1', quantity: 6 }]);
    await postCommand(svc.url, reserve('commit-saga', [{ sku: 'c1', quantity: 4 }]));
    await postCommand(svc.url, command('CommitStock', 'commit-saga', { orderId: 'commit-saga' }));
    const p = (await product('c1'))!;
    expect(p).toMatchObject({ onHand: 2, reserved: 0, committed: 4 });
    expect(p.onHand + p.reserved + p.committed).toBe(p.seeded);
  });

  it('seeding requires the admin token', async () => {
    const res = await fetch(`${svc.url}/admin/stock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[]',
    });
    expect(res.status).toBe(401);
  });
});
