import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Topics } from '@saga/contracts';
import { toOutbox } from '@saga/outbox';
import type { ServiceSpec } from '@saga/service';
import { ordersApi } from './api.ts';
import { startKeeper } from './choreography/keeper.ts';
import { orderReactions } from './choreography/reactions.ts';
import { decideTransition } from './domain/order.ts';
import { orderStore } from './store.ts';

/** Order: takes orders over HTTP (starting a saga) and applies the saga's verdict to them. */
export const orderService: ServiceSpec<'ApproveOrder' | 'RejectOrder'> = {
  name: 'order',
  commandTopic: Topics.orderCommands,
  commandTypes: ['ApproveOrder', 'RejectOrder'],
  migrationsDir: fileURLToPath(new URL('../migrations', import.meta.url)),
  choreography: { reactions: orderReactions, keeper: startKeeper },

  async handle(tx, command, ctx) {
    const store = orderStore(tx);
    const { orderId } = command.payload;
    const to = command.type === 'ApproveOrder' ? 'APPROVED' : 'REJECTED';
    const reason = command.type === 'RejectOrder' ? command.payload.reason : null;
    const order = await store.get(orderId, true);
    const decision = decideTransition(order?.status, to);
    switch (decision.kind) {
      case 'refuse':
        return { result: { outcome: 'FAILURE', reason: decision.reason } };
      case 'noop':
        return { result: { outcome: 'SUCCESS', data: { status: to } } };
      case 'transition': {
        await store.setStatus(orderId, decision.to, reason);
        const event = {
          messageId: randomUUID(),
          sagaId: command.sagaId,
          occurredAt: ctx.now().toISOString(),
          ...(decision.to === 'APPROVED'
            ? { type: 'OrderApproved' as const, payload: { orderId, customerId: order!.customerId } }
            : {
                type: 'OrderRejected' as const,
                payload: { orderId, customerId: order!.customerId, reason: reason ?? '' },
              }),
        };
        return {
          result: { outcome: 'SUCCESS', data: { status: decision.to } },
          events: [toOutbox(ctx.topic(Topics.orderEvents), event)],
        };
      }
      default: {
        const unreachable: never = decision;
        throw new Error(`unhandled decision ${JSON.stringify(unreachable)}`);
      }
    }
  },

  routes: ordersApi,
};
