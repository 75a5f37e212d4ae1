import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthorizePayment } from '@saga/contracts';
import {
  command,
  describeServiceContract,
  postCommand,
  startTestService,
  testKafka,
  TEST_ADMIN_TOKEN,
  type TestService,
} from '@saga/testkit';
import { paymentService } from './service.ts';
import { paymentStore } from './store.ts';

type Authorize = typeof AuthorizePayment._output;

const seed = (svc: TestService, customers: { id: string; creditLimitCents: number }[]) =>
  fetch(`${svc.url}/admin/customers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    body: JSON.stringify(customers),
  });
const authorize = (saga: string, customerId: string, amountCents: number) =>
  command<Authorize>('AuthorizePayment', saga, { orderId: saga, customerId, amountCents });

describeServiceContract({
  spec: paymentService,
  prepare: async (svc, saga) => void (await seed(svc, [{ id: `c-${saga}`, creditLimitCents: 10_000 }])),
  validCommand: (saga) => authorize(saga, `c-${saga}`, 1_250),
  effects: async (svc, saga) =>
    Number(
      (
        await svc.ctx.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM holds WHERE order_id = $1 AND status = 'HELD'`,
          [saga],
        )
      ).rows[0]!.n,
    ),
});

describe('payment domain over the real database', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(paymentService, testKafka('payment-domain'));
  });
  afterAll(() => svc.close());
  const customer = (id: string) => paymentStore(svc.ctx.pool).customer(id);

  it('holds up to exactly the credit limit and declines past it', async () => {
    expect((await seed(svc, [{ id: 'bob', creditLimitCents: 1_000 }])).status).toBe(204);
    expect((await postCommand(svc.url, authorize('b1', 'bob', 600))).body.payload.outcome).toBe('SUCCESS');
    expect((await postCommand(svc.url, authorize('b2', 'bob', 400))).body.payload.outcome).toBe('SUCCESS');
    expect((await postCommand(svc.url, authorize('b3', 'bob', 1))).body.payload).toMatchObject({
      outcome: 'FAILURE',
      reason: 'INSUFFICIENT_CREDIT',
    });
    expect(await customer('bob')).toEqual({ id: 'bob', creditLimitCents: 1_000, heldCents: 1_000 });
  });

  it('never holds past the limit under 30 concurrent authorizations', async () => {
    await seed(svc, [{ id: 'busy', creditLimitCents: 10_000 }]);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => postCommand(svc.url, authorize(`busy-${i}`, 'busy', 1_000))),
    );
    expect(results.filter((r) => r.body.payload.outcome === 'SUCCESS')).toHaveLength(10);
    expect((await customer('busy'))!.heldCents).toBe(10_000);
  });

  it('voids exactly that hold; a repeated void is a no-op', async () => {
    await seed(svc, [{ id: 'carol', creditLimitCents: 5_000 }]);
    await postCommand(svc.url, authorize('v1', 'carol', 1_500));
    await postCommand(svc.url, authorize('v2', 'carol', 700));
    const voidIt = () => postCommand(svc.url, command('VoidPayment', 'v1', { orderId: 'v1' }));
    expect((await voidIt()).body.payload).toMatchObject({ outcome: 'SUCCESS', data: { voidedCents: 1_500 } });
    expect((await voidIt()).body.payload).toMatchObject({ outcome: 'SUCCESS', data: { voidedCents: 0 } });
    expect((await customer('carol'))!.heldCents).toBe(700);
  });

  it('holds nothing when AuthorizePayment arrives after its saga already voided', async () => {
    await seed(svc, [{ id: 'dan', creditLimitCents: 5_000 }]);
    await postCommand(svc.url, command('VoidPayment', 'late', { orderId: 'late' }));
    expect((await postCommand(svc.url, authorize('late', 'dan', 100))).body.payload).toMatchObject({
      outcome: 'FAILURE',
      reason: 'PAYMENT_VOIDED',
    });
    expect((await customer('dan'))!.heldCents).toBe(0);
  });

  it('declines an unknown customer', async () => {
    expect((await postCommand(svc.url, authorize('u1', 'nobody', 1))).body.payload).toMatchObject({
      outcome: 'FAILURE',
      reason: 'UNKNOWN_CUSTOMER',
    });
  });
});
