import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import * as contracts from '@saga/contracts';
import { CustomerSeed } from '@saga/payment';
import { StockSeed } from '@saga/inventory';
import { ListOrdersQuery } from '@saga/order/api';
import { CreateOrder, ORDER_STATUSES, OrderLine } from '@saga/order/domain';
import { FaultSettings } from '@saga/service';
import { bearer, body, commonRoutes, error, json, route, Timestamp, unauthorized, type DocSpec } from './parts.ts';

const OrderStatus = z.enum(ORDER_STATUSES);
const OrderView = z.object({
  id: z.string(),
  customerId: z.string(),
  lines: z.array(OrderLine),
  totalCents: z.number().int(),
  status: OrderStatus,
  reason: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  history: z.array(z.object({ status: OrderStatus, reason: z.string().nullable(), at: Timestamp })),
});
const OrderPage = z.object({
  items: z.array(OrderView.omit({ lines: true, history: true })),
  page: z.number().int(),
  pageSize: z.number().int(),
  total: z.number().int(),
});
const Product = z.object({
  sku: z.string(),
  onHand: z.number().int(),
  reserved: z.number().int(),
  committed: z.number().int(),
  seeded: z.number().int(),
});
const Customer = z.object({ id: z.string(), creditLimitCents: z.number().int(), heldCents: z.number().int() });
const Notifications = z.array(
  z.object({
    orderId: z.string(),
    customerId: z.string(),
    kind: z.enum(['confirmed', 'rejected']),
    message: z.string(),
  }),
);

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
      route(r, {
        method: 'post',
        path: '/orders',
        summary: 'Place an order: stored PENDING with an OrderCreated event; the saga starts from that event',
        request: {
          headers: z.object({
            'Idempotency-Key': z
              .string()
              .min(1)
              .max(200)
              .regex(/^[\x21-\x7e]+$/)
              .optional(),
          }),
          body: body(CreateOrder),
        },
        responses: {
          202: {
            description: 'accepted; Location: /orders/{id}',
            ...json(z.object({ orderId: z.string(), status: OrderStatus, totalCents: z.number().int() })),
          },
          400: error('invalid body: every problem listed in details'),
          413: error('body too large'),
          422: error('Idempotency-Key already used for a different body'),
        },
      });
      route(r, {
        method: 'get',
        path: '/orders/{id}',
        summary: 'An order with its status history',
        request: { params: z.object({ id: z.string() }) },
        responses: { 200: { description: 'the order', ...json(OrderView) }, 404: error('no such order') },
      });
      route(r, {
        method: 'get',
        path: '/orders',
        summary: 'Orders, paged, optionally by status',
        request: { query: ListOrdersQuery },
        responses: { 200: { description: 'one page of orders', ...json(OrderPage) } },
      });
    },
  },
  inventory: {
    title: 'Inventory service',
    port: 3002,
    commands: ['ReserveStock', 'ReleaseStock', 'CommitStock'],
    routes: (r) => {
      route(r, {
        method: 'get',
        path: '/products/{sku}',
        summary: 'Stock of one sku: onHand + reserved + committed = seeded',
        request: { params: z.object({ sku: z.string() }) },
        responses: { 200: { description: 'the product', ...json(Product) }, 404: error('no such sku') },
      });
      route(r, {
        method: 'post',
        path: '/admin/stock',
        summary: 'Add stock (seeding for tests and benchmarks)',
        security: bearer,
        request: { body: body(StockSeed) },
        responses: {
          204: { description: 'added' },
          409: error('refused: it would break a rule of the stored data'),
          ...unauthorized,
        },
      });
    },
  },
  payment: {
    title: 'Payment service',
    port: 3003,
    commands: ['AuthorizePayment', 'VoidPayment'],
    routes: (r) => {
      route(r, {
        method: 'get',
        path: '/customers/{id}',
        summary: 'A customer with credit limit and amount held',
        request: { params: z.object({ id: z.string() }) },
        responses: { 200: { description: 'the customer', ...json(Customer) }, 404: error('no such customer') },
      });
      route(r, {
        method: 'post',
        path: '/admin/customers',
        summary: 'Create or update customers and their credit limits',
        security: bearer,
        request: { body: body(CustomerSeed) },
        responses: {
          204: { description: 'stored' },
          409: error('refused: a credit limit below what the customer holds'),
          ...unauthorized,
        },
      });
    },
  },
  notification: {
    title: 'Notification service',
    port: 3004,
    commands: ['SendNotification'],
    routes: (r) => {
      route(r, {
        method: 'get',
        path: '/notifications/{orderId}',
        summary: 'The notifications sent for an order',
        request: { params: z.object({ orderId: z.string() }) },
        responses: {
          200: { description: 'the notifications', ...json(Notifications) },
          404: error('none for this order'),
        },
      });
    },
  },
};

const commandSchema = (type: CommandName) => (contracts[type] as unknown as z.ZodObject).omit({ type: true });

const serviceRoutes = (name: string, svc: ServiceDoc) => (r: OpenAPIRegistry) => {
  for (const type of svc.commands) {
    route(r, {
      method: 'post',
      path: `/commands/${type}`,
      summary: `${type} (the same handler as the ${name}.commands Kafka topic)`,
      request: { body: body(commandSchema(type)) },
      responses: {
        200: {
          description: 'the reply: SUCCESS with data, or FAILURE with a reason (business refusal)',
          ...json(contracts.Reply),
        },
        409: error(
          "not yet: the service has not heard what it decides on (e.g. the order's outcome); retry with the same messageId",
        ),
        503: error('transient failure (fault injection): retry with the same messageId'),
      },
    });
  }
  svc.routes?.(r);
  route(r, {
    method: 'get',
    path: '/admin/faults',
    summary: 'The fault injection in force, and how many commands it refused so far',
    security: bearer,
    responses: {
      200: { description: 'the settings', ...json(FaultSettings.extend({ refusedSoFar: z.number().int() })) },
      ...unauthorized,
    },
  });
  route(r, {
    method: 'post',
    path: '/admin/faults',
    summary: 'Switch fault injection (latency, transient failure rate, crash)',
    security: bearer,
    request: { body: body(FaultSettings.partial()) },
    responses: { 200: { description: 'the settings now in force', ...json(FaultSettings) }, ...unauthorized },
  });
  commonRoutes(r);
};

/** The four services' documents. */
export const serviceDocs: Record<string, DocSpec> = Object.fromEntries(
  Object.entries(services).map(([name, svc]) => [
    name,
    { title: svc.title, port: svc.port, routes: serviceRoutes(name, svc) },
  ]),
);
