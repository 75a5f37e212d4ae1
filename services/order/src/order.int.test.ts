import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderCreated, Topics, type RejectOrder } from '@saga/contracts';
import {
  collect,
  command,
  describeServiceContract,
  postCommand,
  startTestService,
  testKafka,
  waitFor,
  type TestService,
} from '@saga/testkit';
import { orderService } from './service.ts';
import { orderStore } from './store.ts';

const newOrder = (svc: TestService, id: string) =>
  orderStore(svc.ctx.pool).insert({
    id,
    customerId: 'c1',
    lines: [{ sku: 'A', quantity: 1, unitPriceCents: 100 }],
    totalCents: 100,
  });

describeServiceContract({
  spec: orderService,
  prepare: (svc, saga) => newOrder(svc, saga),
  validCommand: (saga) => command('ApproveOrder', saga, { orderId: saga }),
  effects: async (svc, saga) =>
    Number(
      (
        await svc.ctx.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM order_status_history WHERE order_id = $1 AND status = 'APPROVED'`,
          [saga],
        )
      ).rows[0]!.n,
    ),
});

describe('order API', () => {
  const kafka = testKafka('order-api');
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(orderService, kafka);
  });
  afterAll(() => svc.close());

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${svc.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const valid = {
    customerId: 'cust-1',
    lines: [
      { sku: 'A', quantity: 2, unitPriceCents: 250 },
      { sku: 'B', quantity: 1, unitPriceCents: 1_000 },
    ],
  };
  const rows = async () =>
    Number((await svc.ctx.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM orders')).rows[0]!.n);
  const outboxRows = async () =>
    Number((await svc.ctx.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox')).rows[0]!.n);

  it('stores a valid order PENDING with its total and publishes OrderCreated; 202 with a Location', async () => {
    const events = await collect(kafka, [svc.prefix + Topics.orderEvents]);
    const res = await post(JSON.stringify(valid));
    expect(res.status).toBe(202);
    const body = (await res.json()) as { orderId: string; status: string; totalCents: number };
    expect(body).toMatchObject({ status: 'PENDING', totalCents: 1_500 });
    expect(res.headers.get('location')).toBe(`/orders/${body.orderId}`);
    await waitFor('OrderCreated', () => events.messages.length === 1);
    const event = OrderCreated.parse(JSON.parse(events.messages[0]!.value!));
    expect(event).toMatchObject({
      sagaId: body.orderId,
      payload: { orderId: body.orderId, customerId: 'cust-1', totalCents: 1_500 },
    });
    expect(events.messages[0]!.key).toBe(body.orderId);
    const got = (await (await fetch(`${svc.url}/orders/${body.orderId}`)).json()) as {
      status: string;
      history: { status: string }[];
    };
    expect(got.status).toBe('PENDING');
    expect(got.history.map((h) => h.status)).toEqual(['PENDING']);
    await events.stop();
  });

  const malformed: [string, string, Record<string, string>?][] = [
    ['invalid JSON', '{"customerId": "c1", "lines": ['],
    ['not an object', '"an order"'],
    ['null body', 'null'],
    ['array body', '[]'],
    ['empty object', '{}'],
    ['customerId missing', JSON.stringify({ lines: valid.lines })],
    ['customerId empty', JSON.stringify({ ...valid, customerId: '' })],
    ['customerId a number', JSON.stringify({ ...valid, customerId: 42 })],
    ['customerId too long', JSON.stringify({ ...valid, customerId: 'x'.repeat(65) })],
    ['lines missing', JSON.stringify({ customerId: 'c1' })],
    ['lines empty', JSON.stringify({ customerId: 'c1', lines: [] })],
    ['lines an object', JSON.stringify({ customerId: 'c1', lines: { sku: 'A' } })],
    [
      'too many lines',
      JSON.stringify({
        customerId: 'c1',
        lines: Array.from({ length: 51 }, (_, i) => ({ sku: `s${i}`, quantity: 1, unitPriceCents: 1 })),
      }),
    ],
    ['quantity zero', JSON.stringify({ customerId: 'c1', lines: [{ sku: 'A', quantity: 0, unitPriceCents: 1 }] })],
    ['quantity negative', JSON.stringify({ customerId: 'c1', lines: [{ sku: 'A', quantity: -3, unitPriceCents: 1 }] })],
    ['quantity huge', JSON.stringify({ customerId: 'c1', lines: [{ sku: 'A', quantity: 1e9, unitPriceCents: 1 }] })],
    [
      'quantity fractional',
      JSON.stringify({ customerId: 'c1', lines: [{ sku: 'A', quantity: 1.5, unitPriceCents: 1 }] }),
    ],
    [
      'quantity a string',
      JSON.stringify({ customerId: 'c1', lines: [{ sku: 'A', quantity: '2', unitPriceCents: 1 }] }),
    ],
    [
      'price fractional cents',
      JSON.stringify({ customerId: 'c1', lines: [{ sku: 'A', quantity: 1, unitPriceCents: 9.99 }] }),
    ],
    ['price negative', JSON.stringify({ customerId: 'c1', lines: [{ sku: 'A', quantity: 1, unitPriceCents: -1 }] })],
    ['sku missing', JSON.stringify({ customerId: 'c1', lines: [{ quantity: 1, unitPriceCents: 1 }] })],
    ['sku blank', JSON.stringify({ customerId: 'c1', lines: [{ sku: '   ', quantity: 1, unitPriceCents: 1 }] })],
    ['repeated sku', JSON.stringify({ customerId: 'c1', lines: [valid.lines[0], valid.lines[0]] })],
    ['unknown field', JSON.stringify({ ...valid, discount: 50 })],
    ['oversize body', JSON.stringify({ ...valid, customerId: 'x'.repeat(100_000) })],
    ['bad Idempotency-Key', JSON.stringify(valid), { 'idempotency-key': 'has spaces in it' }],
    ['not JSON content type', 'customerId=c1', { 'content-type': 'application/x-www-form-urlencoded' }],
  ];

  it(`answers ${malformed.length} malformed bodies with a 4xx and a message, writing nothing`, async () => {
    const before = { orders: await rows(), outbox: await outboxRows() };
    for (const [name, body, headers] of malformed) {
      const res = await post(body, headers);
      expect(res.status, name).toBeGreaterThanOrEqual(400);
      expect(res.status, name).toBeLessThan(500);
      const json = (await res.json()) as { error: string };
      expect(json.error, name).toMatch(/\w/);
    }
    expect({ orders: await rows(), outbox: await outboxRows() }).toEqual(before);
  });

  it('lists every problem of a body at once', async () => {
    const res = await post(JSON.stringify({ customerId: '', lines: [{ sku: '', quantity: 0, unitPriceCents: -5 }] }));
    const body = (await res.json()) as { details: { path: string }[] };
    expect(body.details.map((d) => d.path).sort()).toEqual([
      'customerId',
      'lines.0.quantity',
      'lines.0.sku',
      'lines.0.unitPriceCents',
    ]);
  });

  it('returns the same order for the same Idempotency-Key, and refuses the key for a different body', async () => {
    const headers = { 'idempotency-key': `key-${Date.now()}` };
    const [a, b] = await Promise.all([post(JSON.stringify(valid), headers), post(JSON.stringify(valid), headers)]);
    const [ja, jb] = (await Promise.all([a.json(), b.json()])) as { orderId: string }[];
    expect(ja!.orderId).toBe(jb!.orderId);
    expect([a.status, b.status]).toEqual([202, 202]);
    const again = await post(JSON.stringify(valid), headers);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const different = await post(JSON.stringify({ ...valid, customerId: 'someone-else' }), headers);
    expect(different.status).toBe(422);
    const { rowCount } = await svc.ctx.pool.query('SELECT 1 FROM orders WHERE idempotency_key = $1', [
      headers['idempotency-key'],
    ]);
    expect(rowCount).toBe(1);
    const events = await svc.ctx.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM order_status_history WHERE order_id = $1`,
      [ja!.orderId],
    );
    expect(events.rows[0]!.n).toBe(1);
  });

  it('never changes a rejected or approved order again, and records the history', async () => {
    await newOrder(svc, 'ord-r');
    const reject = command<RejectOrder>('RejectOrder', 'ord-r', { orderId: 'ord-r', reason: 'OUT_OF_STOCK' });
    expect((await postCommand(svc.url, reject)).body.payload.outcome).toBe('SUCCESS');
    expect(
      (await postCommand(svc.url, command('ApproveOrder', 'ord-r', { orderId: 'ord-r' }))).body.payload,
    ).toMatchObject({ outcome: 'FAILURE', reason: 'ORDER_ALREADY_REJECTED' });
    const got = (await (await fetch(`${svc.url}/orders/ord-r`)).json()) as {
      status: string;
      reason: string;
      history: { status: string }[];
    };
    expect(got).toMatchObject({ status: 'REJECTED', reason: 'OUT_OF_STOCK' });
    expect(got.history.map((h) => h.status)).toEqual(['PENDING', 'REJECTED']);
    expect(
      (await postCommand(svc.url, command('ApproveOrder', 'missing', { orderId: 'missing' }))).body.payload,
    ).toMatchObject({ reason: 'ORDER_NOT_FOUND' });
  });

  it('pages orders by status and validates the query', async () => {
    await newOrder(svc, 'ord-p1');
    await newOrder(svc, 'ord-p2');
    const page = (await (await fetch(`${svc.url}/orders?status=PENDING&pageSize=1&page=2`)).json()) as {
      items: { status: string }[];
      total: number;
      page: number;
    };
    expect(page.items).toHaveLength(1);
    expect(page.items[0]!.status).toBe('PENDING');
    expect(page.total).toBeGreaterThanOrEqual(2);
    expect((await fetch(`${svc.url}/orders?status=SHIPPED`)).status).toBe(400);
    expect((await fetch(`${svc.url}/orders?pageSize=1000`)).status).toBe(400);
    expect((await fetch(`${svc.url}/orders/nope`)).status).toBe(404);
  });
});
