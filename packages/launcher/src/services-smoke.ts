/**
 * A saga-less run through the four services: no coordinator, the commands sent by hand over
 * HTTP in saga order, once for an order that is approved and once for one whose payment is
 * declined (with its compensation). Starts the services, prints every step, stops them.
 *   npm run smoke:services
 */
import { randomUUID } from 'node:crypto';
import { loadConfig, setting } from '@saga/config';
import type { Command } from '@saga/contracts';
import { serviceUrl, startServices, stopAll, type ServiceName } from './processes.ts';

const { ADMIN_TOKEN } = loadConfig({ ADMIN_TOKEN: setting.string('workbench-admin') });
const owner: Record<Command['type'], ServiceName> = {
  ReserveStock: 'inventory',
  ReleaseStock: 'inventory',
  CommitStock: 'inventory',
  AuthorizePayment: 'payment',
  VoidPayment: 'payment',
  ApproveOrder: 'order',
  RejectOrder: 'order',
  SendNotification: 'notification',
};

const call = async (method: string, url: string, body?: unknown, admin = false) => {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(admin ? { authorization: `Bearer ${ADMIN_TOKEN}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${url} → ${res.status} ${text}`);
  return (text ? JSON.parse(text) : {}) as Record<string, unknown>;
};

const send = async <T extends Command['type']>(
  type: T,
  sagaId: string,
  payload: Extract<Command, { type: T }>['payload'],
) => {
  const reply = (await call('POST', `${serviceUrl(owner[type])}/commands/${type}`, {
    messageId: randomUUID(),
    sagaId,
    occurredAt: new Date().toISOString(),
    payload,
  })) as { payload: { outcome: string; reason?: string; data?: unknown } };
  const p = reply.payload;
  console.log(
    `  ${type.padEnd(17)} → ${owner[type].padEnd(12)} ${p.outcome}${p.reason ? ` ${p.reason}` : ''} ${p.data ? JSON.stringify(p.data) : ''}`,
  );
  return p.outcome === 'SUCCESS';
};

const run = async () => {
  const run = randomUUID().slice(0, 8);
  const sku = `smoke-${run}`;
  await call('POST', `${serviceUrl('inventory')}/admin/stock`, [{ sku, quantity: 10 }], true);
  await call(
    'POST',
    `${serviceUrl('payment')}/admin/customers`,
    [
      { id: `rich-${run}`, creditLimitCents: 100_000 },
      { id: `poor-${run}`, creditLimitCents: 100 },
    ],
    true,
  );

  for (const [customerId, label] of [
    [`rich-${run}`, 'approved'],
    [`poor-${run}`, 'declined'],
  ] as const) {
    const order = await call('POST', `${serviceUrl('order')}/orders`, {
      customerId,
      lines: [{ sku, quantity: 2, unitPriceCents: 1_250 }],
    });
    const orderId = order.orderId as string;
    const totalCents = order.totalCents as number;
    console.log(`\norder ${orderId} (${label} path): POST /orders → 202 ${JSON.stringify(order)}`);
    const lines = [{ sku, quantity: 2 }];
    await send('ReserveStock', orderId, { orderId, lines });
    if (await send('AuthorizePayment', orderId, { orderId, customerId, amountCents: totalCents })) {
      await send('ApproveOrder', orderId, { orderId });
      await send('CommitStock', orderId, { orderId });
      await send('SendNotification', orderId, { orderId, customerId, kind: 'confirmed' });
    } else {
      await send('ReleaseStock', orderId, { orderId });
      await send('RejectOrder', orderId, { orderId, reason: 'INSUFFICIENT_CREDIT' });
      await send('SendNotification', orderId, { orderId, customerId, kind: 'rejected' });
    }
    const final = await call('GET', `${serviceUrl('order')}/orders/${orderId}`);
    console.log(
      `  GET /orders/${orderId} → ${String(final.status)}; history ${(final.history as { status: string }[]).map((h) => h.status).join(' → ')}`,
    );
    console.log(
      `  GET /customers/${customerId} → ${JSON.stringify(await call('GET', `${serviceUrl('payment')}/customers/${customerId}`))}`,
    );
  }
  console.log(
    `\nGET /products/${sku} → ${JSON.stringify(await call('GET', `${serviceUrl('inventory')}/products/${sku}`))}`,
  );
};

console.log('starting the four services…');
const running = await startServices(undefined, () => undefined);
try {
  await run();
} finally {
  await stopAll(running);
}
console.log('\nservices stopped.');
process.exit(0);
