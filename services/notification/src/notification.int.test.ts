import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SendNotification } from '@saga/contracts';
import {
  command,
  describeServiceContract,
  postCommand,
  startTestService,
  testKafka,
  type TestService,
} from '@saga/testkit';
import { fileChannel } from './channel.ts';
import { notificationService } from './service.ts';

type Send = typeof SendNotification._output;
const sink = join(mkdtempSync(join(tmpdir(), 'notify-')), 'sink.jsonl');
const spec = notificationService(fileChannel(sink));
const send = (saga: string, kind: 'confirmed' | 'rejected', messageId?: string) =>
  command<Send>('SendNotification', saga, { orderId: saga, customerId: 'c1', kind }, messageId);
const delivered = (orderId: string) =>
  readFileSync(sink, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { orderId: string; kind: string })
    .filter((n) => n.orderId === orderId);

describeServiceContract({
  spec,
  validCommand: (saga) => send(saga, 'confirmed'),
  effects: async (svc, saga) =>
    Number(
      (
        await svc.ctx.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM notifications WHERE order_id = $1', [
          saga,
        ])
      ).rows[0]!.n,
    ),
});

describe('notification domain over the real database', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(spec, testKafka('notification-domain'));
  });
  afterAll(() => svc.close());

  it('records and delivers exactly one notification per order and kind, even for different command ids', async () => {
    const results = await Promise.all(
      [send('n1', 'rejected'), send('n1', 'rejected'), send('n1', 'rejected')].map((c) => postCommand(svc.url, c)),
    );
    expect(results.every((r) => r.body.payload.outcome === 'SUCCESS')).toBe(true);
    expect(delivered('n1').map((n) => n.kind)).toEqual(['rejected']);
    const res = await fetch(`${svc.url}/notifications/n1`);
    expect(((await res.json()) as unknown[]).length).toBe(1);
  });

  it('tells a customer one outcome per order: the other kind is refused, also when both are asked at once', async () => {
    expect((await postCommand(svc.url, send('n2', 'rejected'))).body.payload).toMatchObject({ outcome: 'SUCCESS' });
    expect((await postCommand(svc.url, send('n2', 'confirmed'))).body.payload).toMatchObject({
      outcome: 'FAILURE',
      reason: 'OUTCOME_ALREADY_NOTIFIED',
    });
    const both = await Promise.all(
      [send('n3', 'confirmed'), send('n3', 'rejected')].map((c) => postCommand(svc.url, c)),
    );
    expect(both.map((r) => r.body.payload.outcome).sort()).toEqual(['FAILURE', 'SUCCESS']);
    expect(delivered('n2').map((n) => n.kind)).toEqual(['rejected']);
    expect(delivered('n3')).toHaveLength(1);
  });

  it('answers 404 for an order with no notification', async () => {
    expect((await fetch(`${svc.url}/notifications/none`)).status).toBe(404);
  });
});
