import { describe, expect, it } from 'vitest';
import { Command, commandTopic, OrderCreated, Reply, SAGA_PARTITIONS, topicSpecs, Topics } from './index.ts';

const envelope = { messageId: 'm1', sagaId: 'order-1', occurredAt: '2026-11-26T10:00:00.000Z' };

describe('message contracts', () => {
  it('accepts a valid command and routes it to its service', () => {
    const cmd = Command.parse({
      ...envelope,
      type: 'ReserveStock',
      payload: { orderId: 'order-1', lines: [{ sku: 'A', quantity: 2 }] },
    });
    expect(commandTopic(cmd.type)).toBe(Topics.inventoryCommands);
    expect(commandTopic('AuthorizePayment')).toBe(Topics.paymentCommands);
    expect(commandTopic('RejectOrder')).toBe(Topics.orderCommands);
    expect(commandTopic('SendNotification')).toBe(Topics.notificationCommands);
  });

  it('rejects an unknown type, a zero quantity, fractional cents and a missing saga id', () => {
    expect(Command.safeParse({ ...envelope, type: 'ShipOrder', payload: {} }).success).toBe(false);
    expect(
      Command.safeParse({
        ...envelope,
        type: 'ReserveStock',
        payload: { orderId: 'o', lines: [{ sku: 'A', quantity: 0 }] },
      }).success,
    ).toBe(false);
    expect(
      Command.safeParse({
        ...envelope,
        type: 'AuthorizePayment',
        payload: { orderId: 'o', customerId: 'c', amountCents: 10.5 },
      }).success,
    ).toBe(false);
    const { sagaId: _, ...noSaga } = envelope;
    expect(
      OrderCreated.safeParse({
        ...noSaga,
        type: 'OrderCreated',
        payload: { orderId: 'o', customerId: 'c', lines: [{ sku: 'A', quantity: 1 }], totalCents: 100 },
      }).success,
    ).toBe(false);
  });

  it('requires a reason on a FAILURE reply but not on SUCCESS', () => {
    const base = { ...envelope, type: 'Reply', payload: { commandId: 'c1', commandType: 'ReserveStock' } };
    expect(Reply.safeParse({ ...base, payload: { ...base.payload, outcome: 'SUCCESS' } }).success).toBe(true);
    expect(Reply.safeParse({ ...base, payload: { ...base.payload, outcome: 'FAILURE' } }).success).toBe(false);
    expect(
      Reply.safeParse({ ...base, payload: { ...base.payload, outcome: 'FAILURE', reason: 'OUT_OF_STOCK' } }).success,
    ).toBe(true);
  });

  it('gives every saga topic at least 8 partitions and a one-partition dead-letter topic', () => {
    const specs = topicSpecs();
    for (const topic of Object.values(Topics)) {
      expect(specs.find((s) => s.topic === topic)?.partitions).toBeGreaterThanOrEqual(SAGA_PARTITIONS);
      expect(specs.find((s) => s.topic === `${topic}.dlq`)?.partitions).toBe(1);
    }
  });
});
