import { fileURLToPath } from 'node:url';
import { Topics } from '@saga/contracts';
import { HttpError } from '@saga/http';
import type { Queryable } from '@saga/postgres';
import type { ServiceSpec } from '@saga/service';
import type { DeliveryChannel } from './channel.ts';
import { decideNotify, type Kind, type Notification } from './domain/notify.ts';

const byOrderAndKind = async (db: Queryable, orderId: string, kind: Kind) =>
  (
    await db.query<Notification>(
      `SELECT order_id AS "orderId", customer_id AS "customerId", kind, message FROM notifications WHERE order_id = $1 AND kind = $2`,
      [orderId, kind],
    )
  ).rows[0];

/**
 * Notification: records one message per order and kind, then hands it to the delivery channel
 * after the commit (never compensated; the coordinator retries it until done).
 */
export const notificationService = (channel: DeliveryChannel): ServiceSpec<'SendNotification'> => ({
  name: 'notification',
  commandTopic: Topics.notificationCommands,
  commandTypes: ['SendNotification'],
  migrationsDir: fileURLToPath(new URL('../migrations', import.meta.url)),

  async handle(tx, command) {
    const { orderId, kind } = command.payload;
    // Serializes two different commands for the same order and kind (the primary key would too, by failing one).
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${orderId}/${kind}`]);
    const decision = decideNotify(command.payload, await byOrderAndKind(tx, orderId, kind));
    if (decision.kind === 'send') {
      const n = decision.notification;
      await tx.query('INSERT INTO notifications (order_id, kind, customer_id, message) VALUES ($1, $2, $3, $4)', [n.orderId, n.kind, n.customerId, n.message]);
    }
    return { result: { outcome: 'SUCCESS', data: { ...decision.notification, deliver: decision.kind === 'send' } } };
  },

  async afterCommit(_command, data) {
    if (data.deliver === true) await channel.deliver(data as unknown as Notification);
  },

  routes: (ctx) => (router) => {
    router.get('/notifications/:orderId', async (req, res) => {
      const { rows } = await ctx.pool.query<Notification>(
        `SELECT order_id AS "orderId", customer_id AS "customerId", kind, message FROM notifications WHERE order_id = $1 ORDER BY created_at`,
        [req.params.orderId],
      );
      if (rows.length === 0) throw new HttpError(404, `no notification for order ${req.params.orderId}`);
      res.json(rows);
    });
  },
});
