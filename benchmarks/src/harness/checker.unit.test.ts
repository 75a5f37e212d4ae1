import { describe, expect, it } from 'vitest';
import { check, describeViolations, type Snapshot } from './checker.ts';

/** A consistent world: one approved order (2 × A, 300 cents) and one rejected order (1 × A). */
const healthy = (): Snapshot => ({
  orders: [
    { id: 'ok', status: 'APPROVED', totalCents: 300, lines: [{ sku: 'A', quantity: 2, unitPriceCents: 150 }] },
    { id: 'no', status: 'REJECTED', totalCents: 100, lines: [{ sku: 'A', quantity: 1, unitPriceCents: 100 }] },
  ],
  reservations: [
    { orderId: 'ok', sku: 'A', quantity: 2, status: 'COMMITTED' },
    { orderId: 'no', sku: 'A', quantity: 1, status: 'RELEASED' },
  ],
  products: [{ sku: 'A', onHand: 8, reserved: 0, committed: 2, seeded: 10 }],
  holds: [
    { orderId: 'ok', customerId: 'c', amountCents: 300, status: 'HELD' },
    { orderId: 'no', customerId: 'c', amountCents: 100, status: 'VOIDED' },
  ],
  customers: [{ id: 'c', heldCents: 300 }],
  notifications: [
    { orderId: 'ok', kind: 'confirmed' },
    { orderId: 'no', kind: 'rejected' },
  ],
  sagasPastDeadline: [],
  deadLetters: { 'orders.commands.dlq': 0 },
  sagas: [
    { id: 'ok', status: 'COMPLETED', coordinator: 'custom' },
    { id: 'no', status: 'REJECTED', coordinator: 'custom' },
  ],
  outboxes: { orders: 0 },
  consumerLag: { 'run.payment-service': 0 },
  bothVerdicts: [],
});

const kinds = (s: Snapshot, poison?: Record<string, number>) =>
  check(s, poison ? { poison } : {}).map((v) => `${v.kind}:${v.subject}`);

describe('correctness checker', () => {
  it('finds nothing wrong in a consistent world', () => {
    expect(check(healthy())).toEqual([]);
  });

  it.each<[string, (s: Snapshot) => void, string[]]>([
    ['an order left pending', (s) => void (s.orders[0]!.status = 'PENDING'), ['order-not-terminal:ok']],
    [
      'approved, stock only reserved',
      (s) => {
        s.reservations[0]!.status = 'RESERVED';
        s.products[0]!.reserved = 2;
        s.products[0]!.committed = 0;
      },
      ['approved-stock-not-committed:ok'],
    ],
    [
      'approved, no payment hold',
      (s) => {
        s.holds[0]!.status = 'VOIDED';
        s.customers[0]!.heldCents = 0;
      },
      ['approved-hold:ok'],
    ],
    [
      'approved, hold of the wrong amount',
      (s) => {
        s.holds[0]!.amountCents = 200;
        s.customers[0]!.heldCents = 200;
      },
      ['approved-hold:ok'],
    ],
    [
      'approved, told twice (confirmed and rejected)',
      (s) => void s.notifications.push({ orderId: 'ok', kind: 'rejected' }),
      ['approved-notification:ok'],
    ],
    ['approved, never told', (s) => void s.notifications.splice(0, 1), ['approved-notification:ok']],
    [
      'rejected, stock still reserved',
      (s) => {
        s.reservations[1]!.status = 'RESERVED';
        s.products[0]!.onHand = 7;
        s.products[0]!.reserved = 1;
      },
      ['rejected-stock-held:no'],
    ],
    [
      'rejected, payment still held',
      (s) => {
        s.holds[1]!.status = 'HELD';
        s.customers[0]!.heldCents = 400;
      },
      ['rejected-payment-held:no'],
    ],
    ['rejected, no notification', (s) => void s.notifications.splice(1, 1), ['rejected-notification:no']],
    [
      'stock counters that do not add up to the seed',
      (s) => void (s.products[0]!.onHand = 9),
      ['stock-not-conserved:A'],
    ],
    [
      'stock counters that disagree with the reservations',
      (s) => {
        s.products[0]!.committed = 3;
        s.products[0]!.onHand = 7;
      },
      ['stock-not-conserved:A'],
    ],
    ['money held without a hold', (s) => void (s.customers[0]!.heldCents = 350), ['money-not-conserved:c']],
    ['a saga running past its deadline', (s) => void s.sagasPastDeadline.push('late'), ['saga-past-deadline:late']],
    [
      'a dead-lettered message',
      (s) => void (s.deadLetters['orders.commands.dlq'] = 2),
      ['dead-letters:orders.commands.dlq'],
    ],
    [
      "a saga completed for a rejected order (the coordinator's state disagrees)",
      (s) => void (s.sagas[1]!.status = 'COMPLETED'),
      ['saga-disagrees-with-order:no'],
    ],
    [
      'a saga still running for a terminal order',
      (s) => void (s.sagas[0]!.status = 'RUNNING'),
      ['saga-open-for-terminal-order:ok'],
    ],
    [
      'a hold, a reservation and a notification of an order that does not exist',
      (s) => {
        s.holds.push({ orderId: 'ghost', customerId: 'c', amountCents: 0, status: 'VOIDED' });
        s.holds.push({ orderId: 'ghost', customerId: 'c', amountCents: 5, status: 'VOIDED' });
        s.notifications.push({ orderId: 'ghost', kind: 'rejected' });
      },
      ['orphan-row:ghost', 'orphan-row:ghost'],
    ],
    [
      "an order whose total is not its lines' sum",
      (s) => void (s.orders[0]!.totalCents = 301),
      ['approved-hold:ok', 'order-total-mismatch:ok'],
    ],
    ['a message left in an outbox', (s) => void (s.outboxes.orders = 1), ['outbox-not-empty:orders']],
    [
      'a running consumer behind its topics',
      (s) => void (s.consumerLag['run.payment-service'] = 3),
      ['consumer-lag:run.payment-service'],
    ],
    ['both verdicts published for one order', (s) => void s.bothVerdicts.push('ok'), ['approved-and-rejected:ok']],
  ])('catches %s', (_name, plant, expected) => {
    const s = healthy();
    plant(s);
    expect(kinds(s)).toEqual(expected);
  });

  it('accepts exactly the poison a suite injected on purpose: no more dead letters, no fewer', () => {
    const s = healthy();
    s.deadLetters['orders.commands.dlq'] = 3;
    expect(kinds(s, { 'orders.commands.dlq': 3 })).toEqual([]);
    expect(kinds(s, { 'orders.commands.dlq': 2 })).toEqual(['dead-letters:orders.commands.dlq']);
    expect(kinds(s, { 'orders.commands.dlq': 3, 'saga.replies.dlq': 1 })).toEqual(['dead-letters:saga.replies.dlq']);
  });

  it('summarises violations per kind, with the first subjects', () => {
    const s = healthy();
    s.orders.push(...['p1', 'p2', 'p3', 'p4'].map((id) => ({ id, status: 'PENDING', totalCents: 0, lines: [] })));
    expect(describeViolations(check(s))).toEqual([
      'order-not-terminal: 4 (p1: status PENDING; p2: status PENDING; p3: status PENDING; …)',
    ]);
  });
});
