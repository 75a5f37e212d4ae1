import { createHash, randomUUID } from 'node:crypto';
import type { Router } from 'express';
import { z } from 'zod';
import { Topics, type OrderCreated } from '@saga/contracts';
import { HttpError } from '@saga/http';
import { appendToOutbox, toOutbox } from '@saga/outbox';
import { withTransaction } from '@saga/postgres';
import { issuesOf, pageQuery, parseOr400, type ServiceContext } from '@saga/service';
import { CreateOrder, ORDER_STATUSES, totalCents } from './domain/order.ts';
import { orderStore, type OrderRow } from './store.ts';

export const ListOrdersQuery = pageQuery(ORDER_STATUSES, 20, 100);

const IdempotencyKey = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

const accepted = (o: Pick<OrderRow, 'id' | 'status' | 'totalCents'>) => ({
  orderId: o.id,
  status: o.status,
  totalCents: o.totalCents,
});
const hashOf = (body: unknown) => createHash('sha256').update(JSON.stringify(body)).digest('hex');

/**
 * The public order API. `POST /orders` stores the order PENDING and its `OrderCreated` event in
 * one transaction and answers 202; nothing is written when the body is invalid.
 */
export const ordersApi = (ctx: ServiceContext) => (router: Router) => {
  router.post('/orders', async (req, res) => {
    const parsed = CreateOrder.safeParse(req.body);
    const keyHeader = req.get('idempotency-key');
    const key = keyHeader === undefined ? undefined : IdempotencyKey.safeParse(keyHeader);
    const problems = [
      ...(parsed.success ? [] : issuesOf(parsed.error)),
      ...(key && !key.success ? issuesOf(key.error).map((i) => ({ ...i, path: 'Idempotency-Key header' })) : []),
    ];
    if (!parsed.success || (key && !key.success)) throw new HttpError(400, 'invalid order', problems);
    const order = parsed.data;
    const idempotencyKey = key?.data;
    const requestHash = hashOf(order);

    const replay = (existing: OrderRow) => {
      if (existing.requestHash !== requestHash) {
        throw new HttpError(422, 'Idempotency-Key was already used for a different order body', {
          orderId: existing.id,
        });
      }
      res.status(202).location(`/orders/${existing.id}`).set('Idempotent-Replayed', 'true').json(accepted(existing));
    };
    if (idempotencyKey) {
      const existing = await orderStore(ctx.pool).byIdempotencyKey(idempotencyKey);
      if (existing) return replay(existing);
    }

    const id = randomUUID();
    const total = totalCents(order.lines);
    const event: OrderCreated = {
      messageId: randomUUID(),
      sagaId: id,
      occurredAt: ctx.now().toISOString(),
      type: 'OrderCreated',
      payload: {
        orderId: id,
        customerId: order.customerId,
        lines: order.lines.map(({ sku, quantity }) => ({ sku, quantity })),
        totalCents: total,
      },
    };
    try {
      await withTransaction(ctx.pool, async (tx) => {
        await orderStore(tx).insert({
          id,
          customerId: order.customerId,
          lines: order.lines,
          totalCents: total,
          idempotencyKey,
          requestHash,
        });
        await appendToOutbox(tx, [toOutbox(ctx.topic(Topics.orderEvents), event)]);
      });
    } catch (err) {
      // Two requests with the same key at once: the other one won; answer with its order.
      if ((err as { code?: string }).code === '23505' && idempotencyKey) {
        const existing = await orderStore(ctx.pool).byIdempotencyKey(idempotencyKey);
        if (existing) return replay(existing);
      }
      throw err;
    }
    res.status(202).location(`/orders/${id}`).json({ orderId: id, status: 'PENDING', totalCents: total });
  });

  router.get('/orders/:id', async (req, res) => {
    const store = orderStore(ctx.pool);
    const order = await store.get(req.params.id);
    if (!order) throw new HttpError(404, `no order ${req.params.id}`);
    const { requestHash: _, ...visible } = order;
    res.json({ ...visible, history: await store.history(order.id) });
  });

  router.get('/orders', async (req, res) => {
    const q = parseOr400(ListOrdersQuery, req.query, 'query');
    const { items, total } = await orderStore(ctx.pool).page(q.status, q.page, q.pageSize);
    res.json({ items, page: q.page, pageSize: q.pageSize, total });
  });
};
