import { describe, expect, it } from 'vitest';
import type { HistoryLine, SagaTimeline } from '@saga/contracts';
import { consumedAt, messageRoutes, withRoutes } from './message-routes.ts';

const urls = {
  ORDER_URL: 'http://127.0.0.1:3001',
  INVENTORY_URL: 'http://127.0.0.1:3002',
  PAYMENT_URL: 'http://127.0.0.1:3003',
  NOTIFICATION_URL: 'http://127.0.0.1:3004',
};
const line = (kind: HistoryLine['kind'], step: string | null, f: Partial<HistoryLine> = {}): HistoryLine => ({
  at: '2026-12-06T00:00:00.000Z',
  kind,
  step,
  attempt: 1,
  status: 'RUNNING',
  detail: null,
  commandId: null,
  messageId: null,
  ...f,
});
const timeline = (history: HistoryLine[]) => ({ history }) as SagaTimeline;

describe('where a command and its answer travelled', () => {
  it("over Kafka: each step's command topic (the outbox first where the coordinator has one), answers on the replies topic", () => {
    const routes = messageRoutes({ TRANSPORT: 'kafka', KAFKA_TOPIC_PREFIX: 'run1.', ...urls });
    const recorded = consumedAt({ topic: 'run1.saga.replies', partition: 5, offset: '812' });
    const { history } = withRoutes(
      timeline([
        line('started', null),
        line('requested', 'reserveStock'),
        line('succeeded', 'reserveStock', { via: recorded }),
        line('requested', 'authorizePayment'),
        line('refused', 'authorizePayment', { detail: 'INSUFFICIENT_CREDIT' }),
        line('requested', 'releaseStock'),
        line('requested', 'notifyRejected'),
        line('attempt-failed', 'notifyRejected'),
        line('ignored', 'voidPayment'),
      ]),
      routes,
    );
    expect(history.map((h) => h.via ?? null)).toEqual([
      null,
      { transport: 'kafka', to: 'run1.inventory.commands', partition: null, offset: null },
      recorded,
      { transport: 'kafka', to: 'run1.payment.commands', partition: null, offset: null },
      { transport: 'kafka', to: 'run1.saga.replies', partition: null, offset: null },
      { transport: 'kafka', to: 'run1.inventory.commands', partition: null, offset: null },
      { transport: 'kafka', to: 'run1.notification.commands', partition: null, offset: null },
      null,
      null, // an ignored entry without a message id is not a message
    ]);
    const outbox = messageRoutes({ TRANSPORT: 'kafka', KAFKA_TOPIC_PREFIX: '', ...urls }, { outbox: true });
    expect(outbox.command('ApproveOrder')).toEqual({
      transport: 'outbox',
      to: 'order.commands',
      partition: null,
      offset: null,
    });
  });

  it("over HTTP: the request to the step's service, and its response", () => {
    const { history } = withRoutes(
      timeline([line('requested', 'authorizePayment'), line('succeeded', 'authorizePayment')]),
      messageRoutes({ TRANSPORT: 'http', KAFKA_TOPIC_PREFIX: '', ...urls }),
    );
    expect(history.map((h) => h.via?.to)).toEqual(['POST http://127.0.0.1:3003/commands/AuthorizePayment', 'response']);
  });
});
