import { fileURLToPath } from 'node:url';
import { Topics } from '@saga/contracts';
import { HttpError } from '@saga/http';
import type { Queryable } from '@saga/postgres';
import { NotYet, type ServiceSpec } from '@saga/service';
import type { DeliveryChannel } from './channel.ts';
import { courier } from './courier.ts';
import { decideNotify, type Notification, type OrderFate } from './domain/notify.ts';
import { notificationChoreography } from './choreography.ts';

const ofOrder = async (db: Queryable, orderId: string) =>
  (
    await db.query<Notification>(
      `SELECT order_id AS "orderId", customer_id AS "customerId", kind, message FROM notifications WHERE order_id = $1 ORDER BY created_at`,
      [orderId],
    )
  ).rows;

const fateOf = async (db: Queryable, orderId: string): Promise<OrderFate | undefined> =>
  (
    await db.query<OrderFate>('SELECT outcome, customer_id AS "customerId" FROM order_outcomes WHERE order_id = $1', [
      orderId,
    ])
  ).rows[0];

/**
 * Notification: tells an order's customer its outcome — the one the order service published, to
 * the order's own customer (ADR 0012) — once per order and kind. The message is recorded with the
 * command and handed to the delivery channel after the commit, at least once (`courier`); never
 * compensated, the coordinator retries it until done.
 */
export const notificationService = (channel: DeliveryChannel): ServiceSpec<'SendNotification'> => ({
  name: 'notification',
  commandTopic: Topics.notificationCommands,
  commandTypes: ['SendNotification'],
  migrationsDir: fileURLToPath(new URL('../migrations', import.meta.url)),
  choreography: notificationChoreography,

  async handle(tx, command) {
    const { orderId } = command.payload;
    // Serializes every command for one order: two outcomes asked at once cannot both be sent.
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [orderId]);
    const decision = decideNotify(command.payload, await fateOf(tx, orderId), await ofOrder(tx, orderId));
    switch (decision.kind) {
      case 'not-yet':
        throw new NotYet(decision.detail);
      case 'refuse':
        return { result: { outcome: 'FAILURE', reason: decision.reason, detail: decision.detail } };
      case 'send': {
        const n = decision.notification;
        await tx.query('INSERT INTO notifications (order_id, kind, customer_id, message) VALUES ($1, $2, $3, $4)', [
          n.orderId,
          n.kind,
          n.customerId,
          n.message,
        ]);
        break;
      }
      case 'already-sent':
        break;
      default: {
        const unreachable: never = decision;
        throw new Error(`unhandled decision ${JSON.stringify(unreachable)}`);
      }
    }
    return { result: { outcome: 'SUCCESS', data: { ...decision.notification, deliver: decision.kind === 'send' } } };
  },

  /** The order's fate and customer, recorded once (a redelivered event changes nothing). */
  async onOrderOutcome(tx, event) {
    await tx.query(
      'INSERT INTO order_outcomes (order_id, outcome, customer_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [
        event.payload.orderId,
        event.type === 'OrderApproved' ? 'APPROVED' : 'REJECTED',
        event.payload.customerId ?? null,
      ],
    );
  },

  async afterCommit(_command, data, ctx) {
    if (data.deliver === true) await courier(ctx.pool, channel, ctx.log).afterCommit(data as unknown as Notification);
  },

  background: (ctx) => courier(ctx.pool, channel, ctx.log).start(),

  routes: (ctx) => (router) => {
    router.get('/notifications/:orderId', async (req, res) => {
      const rows = await ofOrder(ctx.pool, req.params.orderId);
      if (rows.length === 0) throw new HttpError(404, `no notification for order ${req.params.orderId}`);
      res.json(rows);
    });
  },
});
