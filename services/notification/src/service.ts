import { fileURLToPath } from 'node:url';
import { Topics } from '@saga/contracts';
import { HttpError } from '@saga/http';
import type { Queryable } from '@saga/postgres';
import type { ServiceSpec } from '@saga/service';
import type { DeliveryChannel } from './channel.ts';
import { decideNotify, type Notification } from './domain/notify.ts';
import { notificationChoreography } from './choreography.ts';

const ofOrder = async (db: Queryable, orderId: string) =>
  (
    await db.query<Notification>(
      `SELECT order_id AS "orderId", customer_id AS "customerId", kind, message FROM notifications WHERE order_id = $1 ORDER BY created_at`,
      [orderId],
    )
  ).rows;

/**
 * Notification: records one message per order and kind, then hands it to the delivery channel
 * after the commit (never compensated; the coordinator retries it until done).
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
    const decision = decideNotify(command.payload, await ofOrder(tx, orderId));
    if (decision.kind === 'refuse')
      return { result: { outcome: 'FAILURE', reason: decision.reason, detail: decision.detail } };
    if (decision.kind === 'send') {
      const n = decision.notification;
      await tx.query('INSERT INTO notifications (order_id, kind, customer_id, message) VALUES ($1, $2, $3, $4)', [
        n.orderId,
        n.kind,
        n.customerId,
        n.message,
      ]);
    }
    return { result: { outcome: 'SUCCESS', data: { ...decision.notification, deliver: decision.kind === 'send' } } };
  },

  async afterCommit(_command, data) {
    if (data.deliver === true) await channel.deliver(data as unknown as Notification);
  },

  routes: (ctx) => (router) => {
    router.get('/notifications/:orderId', async (req, res) => {
      const rows = await ofOrder(ctx.pool, req.params.orderId);
      if (rows.length === 0) throw new HttpError(404, `no notification for order ${req.params.orderId}`);
      res.json(rows);
    });
  },
});
