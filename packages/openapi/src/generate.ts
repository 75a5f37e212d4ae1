/**
 * The OpenAPI 3.1 documents of the four services, generated from the same zod schemas that
 * validate requests at run time (never written by hand):
 *   npm run openapi        writes docs/openapi/<service>.json
 * A unit test fails when a committed document differs from what the schemas generate.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import * as contracts from '@saga/contracts';
import { CustomerSeed } from '@saga/payment';
import { StockSeed } from '@saga/inventory';
import { ListOrdersQuery } from '@saga/order/api';
import { CreateOrder } from '@saga/order/domain';
import { FaultSettings } from '@saga/service';

const ErrorBody = z.object({ error: z.string(), details: z.unknown().optional() });
const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
const error = (description: string) => ({ description, ...json(ErrorBody) });
const bearer = [{ adminToken: [] }];

type CommandName = contracts.CommandType;
interface ServiceDoc {
  title: string;
  port: number;
  commands: CommandName[];
  routes?: (r: OpenAPIRegistry) => void;
}

const services: Record<string, ServiceDoc> = {
  order: {
    title: 'Order service',
    port: 3001,
    commands: ['ApproveOrder', 'RejectOrder'],
    routes: (r) => {
      r.registerPath({
        method: 'post',
        path: '/orders',
        summary: 'Place an order: stored PENDING with an OrderCreated event; the saga starts from that event',
        request: { headers: z.object({ 'Idempotency-Key': z.string().min(1).max(200).optional() }), body: json(CreateOrder) },
        responses: {
          202: { description: 'accepted; Location: /orders/{id}', ...json(z.object({ orderId: z.string(), status: z.string(), totalCents: z.number().int() })) },
          400: error('invalid body: every problem listed in details'),
          413: error('body too large'),
          422: error('Idempotency-Key already used for a different body'),
        },
      });
      r.registerPath({
        method: 'get',
        path: '/orders/{id}',
        summary: 'An order with its status history',
        request: { params: z.object({ id: z.string() }) },
        responses: { 200: { description: 'the order' }, 404: error('no such order') },
      });
      r.registerPath({
        method: 'get',
        path: '/orders',
        summary: 'Orders, paged, optionally by status',
        request: { query: ListOrdersQuery },
        responses: { 200: { description: '{ items, page, pageSize, total }' }, 400: error('invalid query') },
      });
    },
  },
  inventory: {
    title: 'Inventory service',
    port: 3002,
    commands: ['ReserveStock', 'ReleaseStock', 'CommitStock'],
    routes: (r) => {
      r.registerPath({
        method: 'get',
        path: '/products/{sku}',
        summary: 'Stock of one sku: onHand + reserved + committed = seeded',
        request: { params: z.object({ sku: z.string() }) },
        responses: { 200: { description: 'the product' }, 404: error('no such sku') },
      });
      r.registerPath({
        method: 'post',
        path: '/admin/stock',
        summary: 'Add stock (seeding for tests and benchmarks)',
        security: bearer,
        request: { body: json(StockSeed) },
        responses: { 204: { description: 'added' }, 400: error('invalid seed'), 401: error('admin token required') },
      });
    },
  },
  payment: {
    title: 'Payment service',
    port: 3003,
    commands: ['AuthorizePayment', 'VoidPayment'],
    routes: (r) => {
      r.registerPath({
        method: 'get',
        path: '/customers/{id}',
        summary: 'A customer with credit limit and amount held',
        request: { params: z.object({ id: z.string() }) },
        responses: { 200: { description: 'the customer' }, 404: error('no such customer') },
      });
      r.registerPath({
        method: 'post',
        path: '/admin/customers',
        summary: 'Create or update customers and their credit limits',
        security: bearer,
        request: { body: json(CustomerSeed) },
        responses: { 204: { description: 'stored' }, 400: error('invalid customers'), 401: error('admin token required') },
      });
    },
  },
  notification: {
    title: 'Notification service',
    port: 3004,
    commands: ['SendNotification'],
    routes: (r) => {
      r.registerPath({
        method: 'get',
        path: '/notifications/{orderId}',
        summary: 'The notifications sent for an order',
        request: { params: z.object({ orderId: z.string() }) },
        responses: { 200: { description: 'the notifications' }, 404: error('none for this order') },
      });
    },
  },
};

const commandSchema = (type: CommandName) =>
  (contracts[type] as unknown as z.ZodObject).omit({ type: true });

export const generate = (name: string) => {
  const svc = services[name]!;
  const r = new OpenAPIRegistry();
  r.registerComponent('securitySchemes', 'adminToken', { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' });
  for (const type of svc.commands) {
    r.registerPath({
      method: 'post',
      path: `/commands/${type}`,
      summary: `${type} (the same handler as the ${name}.commands Kafka topic)`,
      request: { body: json(commandSchema(type)) },
      responses: {
        200: { description: 'the reply: SUCCESS with data, or FAILURE with a reason (business refusal)', ...json(contracts.Reply) },
        400: error('malformed command: every problem listed'),
        503: error('transient failure: retry with the same messageId'),
      },
    });
  }
  svc.routes?.(r);
  r.registerPath({
    method: 'post',
    path: '/admin/faults',
    summary: 'Switch fault injection (latency, transient failure rate, crash)',
    security: bearer,
    request: { body: json(FaultSettings.partial()) },
    responses: { 200: { description: 'the settings now in force', ...json(FaultSettings) }, 400: error('invalid settings'), 401: error('admin token required') },
  });
  r.registerPath({ method: 'get', path: '/health', summary: 'Liveness and dependencies', responses: { 200: { description: 'ok' }, 503: { description: 'degraded' } } });
  r.registerPath({ method: 'get', path: '/metrics', summary: 'Prometheus metrics', responses: { 200: { description: 'text exposition format' } } });
  return new OpenApiGeneratorV31(r.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: svc.title, version: '0.1.0', description: `Generated from the zod schemas by \`npm run openapi\`. Default port ${svc.port}.` },
    servers: [{ url: `http://127.0.0.1:${svc.port}` }],
  });
};

export const SERVICE_NAMES = Object.keys(services);
export const documentPath = (name: string) => fileURLToPath(new URL(`../../../docs/openapi/${name}.json`, import.meta.url));
export const render = (name: string) => `${JSON.stringify(generate(name), null, 2)}\n`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const name of SERVICE_NAMES) {
    writeFileSync(documentPath(name), render(name));
    console.log(`wrote ${documentPath(name)}`);
  }
}
