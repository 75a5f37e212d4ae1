/**
 * The correctness checker run after every suite: what the four service databases (and the
 * dead-letter topics, and the coordinator) say must add up. Pure: `check(snapshot)` lists the
 * violations; `snapshot.ts` reads the real databases.
 */
export interface Snapshot {
  orders: {
    id: string;
    status: string;
    totalCents: number;
    lines: { sku: string; quantity: number; unitPriceCents?: number }[];
  }[];
  reservations: { orderId: string; sku: string; quantity: number; status: string }[];
  products: { sku: string; onHand: number; reserved: number; committed: number; seeded: number }[];
  holds: { orderId: string; customerId: string; amountCents: number; status: string }[];
  customers: { id: string; heldCents: number }[];
  notifications: { orderId: string; kind: string }[];
  /** Sagas the coordinator still runs although their deadline (plus the time to roll back) passed. */
  sagasPastDeadline: string[];
  /** Messages on each dead-letter topic, each source message counted once. */
  deadLetters: Record<string, number>;
  /** Each saga as its coordinator keeps it (custom's, DBOS's and Restate's list tables, Temporal's visibility, choreography's view). */
  sagas: { id: string; status: string; coordinator: string }[];
  /** Messages waiting in each database's outbox table (databases with none are left out). */
  outboxes: Record<string, number>;
  /** Messages not yet consumed by each consumer group that is running (its topics' ends minus its committed offsets). */
  consumerLag: Record<string, number>;
  /** Orders with both an OrderApproved and an OrderRejected on `order.events`. */
  bothVerdicts: string[];
}

export type ViolationKind =
  | 'order-not-terminal'
  | 'approved-stock-not-committed'
  | 'approved-hold'
  | 'approved-notification'
  | 'rejected-stock-held'
  | 'rejected-payment-held'
  | 'rejected-notification'
  | 'stock-not-conserved'
  | 'money-not-conserved'
  | 'saga-past-deadline'
  | 'dead-letters'
  | 'saga-disagrees-with-order'
  | 'saga-open-for-terminal-order'
  | 'orphan-row'
  | 'order-total-mismatch'
  | 'outbox-not-empty'
  | 'consumer-lag'
  | 'approved-and-rejected';

export interface Violation {
  kind: ViolationKind;
  subject: string;
  detail: string;
}

const groupBy = <T>(items: T[], key: (t: T) => string) => {
  const m = new Map<string, T[]>();
  for (const i of items) m.set(key(i), [...(m.get(key(i)) ?? []), i]);
  return m;
};
const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);

/** `poison`: messages a suite made unreadable on purpose, per dead-letter topic (exactly these must be there). */
export const check = (s: Snapshot, opts: { poison?: Record<string, number> } = {}): Violation[] => {
  const v: Violation[] = [];
  const add = (kind: ViolationKind, subject: string, detail: string) => v.push({ kind, subject, detail });
  const reservations = groupBy(s.reservations, (r) => r.orderId);
  const holds = groupBy(s.holds, (h) => h.orderId);
  const notes = groupBy(s.notifications, (n) => n.orderId);

  for (const o of s.orders) {
    const rs = reservations.get(o.id) ?? [];
    const hs = (holds.get(o.id) ?? []).filter((h) => h.status === 'HELD');
    const kinds = (notes.get(o.id) ?? []).map((n) => n.kind).sort();
    if (o.status === 'APPROVED') {
      for (const line of o.lines) {
        const committed = sum(rs.filter((r) => r.sku === line.sku && r.status === 'COMMITTED').map((r) => r.quantity));
        if (committed !== line.quantity)
          add('approved-stock-not-committed', o.id, `${line.sku}: ${committed} committed of ${line.quantity}`);
      }
      if (hs.length !== 1 || hs[0]!.amountCents !== o.totalCents)
        add(
          'approved-hold',
          o.id,
          `${hs.length} payment hold(s) of ${hs.map((h) => h.amountCents).join(', ') || '—'} cents, expected one of ${o.totalCents}`,
        );
      if (kinds.join() !== 'confirmed')
        add('approved-notification', o.id, `notifications [${kinds.join(', ')}], expected [confirmed]`);
    } else if (o.status === 'REJECTED') {
      const held = rs.filter((r) => r.status !== 'RELEASED');
      if (held.length > 0)
        add('rejected-stock-held', o.id, held.map((r) => `${r.sku} ×${r.quantity} ${r.status}`).join(', '));
      if (hs.length > 0) add('rejected-payment-held', o.id, `${hs.length} payment hold(s) still HELD`);
      if (kinds.join() !== 'rejected')
        add('rejected-notification', o.id, `notifications [${kinds.join(', ')}], expected [rejected]`);
    } else {
      add('order-not-terminal', o.id, `status ${o.status}`);
    }
  }

  const bySku = groupBy(s.reservations, (r) => r.sku);
  for (const p of s.products) {
    const rs = bySku.get(p.sku) ?? [];
    const reserved = sum(rs.filter((r) => r.status === 'RESERVED').map((r) => r.quantity));
    const committed = sum(rs.filter((r) => r.status === 'COMMITTED').map((r) => r.quantity));
    if (p.onHand + p.reserved + p.committed !== p.seeded || p.reserved !== reserved || p.committed !== committed) {
      add(
        'stock-not-conserved',
        p.sku,
        `on hand ${p.onHand} + reserved ${p.reserved} + committed ${p.committed} vs seeded ${p.seeded}; reservations say reserved ${reserved}, committed ${committed}`,
      );
    }
  }

  const heldBy = groupBy(
    s.holds.filter((h) => h.status === 'HELD'),
    (h) => h.customerId,
  );
  for (const c of s.customers) {
    const held = sum((heldBy.get(c.id) ?? []).map((h) => h.amountCents));
    if (held !== c.heldCents)
      add('money-not-conserved', c.id, `customer holds ${c.heldCents} cents, its HELD holds sum to ${held}`);
  }

  agreement(s, add);

  for (const id of s.sagasPastDeadline) add('saga-past-deadline', id, 'still running past its deadline');
  for (const topic of new Set([...Object.keys(s.deadLetters), ...Object.keys(opts.poison ?? {})])) {
    const n = s.deadLetters[topic] ?? 0;
    const poison = opts.poison?.[topic] ?? 0;
    if (n !== poison)
      add(
        'dead-letters',
        topic,
        poison
          ? `${n} message(s) dead-lettered, ${poison} poison message(s) injected`
          : `${n} message(s) dead-lettered`,
      );
  }
  return v;
};

const OPEN = new Set(['RUNNING', 'COMPENSATING']);
/** The verdict a saga status stands for, where it stands for one. */
const VERDICT: Record<string, string> = { COMPLETED: 'APPROVED', REJECTED: 'REJECTED' };

/**
 * What must agree across the places that each hold part of a saga: the coordinator's own state with
 * the order's; no effect of an order that does not exist; an order's total with its lines; nothing
 * left in an outbox or unread by a running consumer; one verdict per order on `order.events`.
 */
const agreement = (s: Snapshot, add: (kind: ViolationKind, subject: string, detail: string) => void) => {
  const orders = new Map(s.orders.map((o) => [o.id, o]));
  for (const saga of s.sagas) {
    const order = orders.get(saga.id);
    if (!order) continue;
    const terminal = order.status === 'APPROVED' || order.status === 'REJECTED';
    const verdict = VERDICT[saga.status];
    if (verdict && terminal && verdict !== order.status)
      add('saga-disagrees-with-order', saga.id, `${saga.coordinator} saga ${saga.status}, order ${order.status}`);
    else if (terminal && OPEN.has(saga.status))
      add('saga-open-for-terminal-order', saga.id, `${saga.coordinator} saga ${saga.status}, order ${order.status}`);
  }
  const rows: [string, { orderId: string }[], (r: never) => boolean][] = [
    ['reservation', s.reservations, () => true],
    // A void before its authorize leaves a tombstone (0 cents, VOIDED): an answer, not an effect.
    ['hold', s.holds, (h: Snapshot['holds'][number]) => !(h.amountCents === 0 && h.status === 'VOIDED')],
    ['notification', s.notifications, () => true],
  ];
  for (const [what, list, counts] of rows)
    for (const r of list.filter((x) => !orders.has(x.orderId) && counts(x as never)))
      add('orphan-row', r.orderId, `a ${what} of an order that does not exist`);
  for (const o of s.orders) {
    if (o.lines.some((l) => l.unitPriceCents === undefined)) continue;
    const sum = o.lines.reduce((a, l) => a + l.quantity * l.unitPriceCents!, 0);
    if (sum !== o.totalCents) add('order-total-mismatch', o.id, `total ${o.totalCents} cents, its lines sum to ${sum}`);
  }
  for (const [db, n] of Object.entries(s.outboxes))
    if (n > 0) add('outbox-not-empty', db, `${n} message(s) still in the outbox`);
  for (const [group, n] of Object.entries(s.consumerLag))
    if (n > 0) add('consumer-lag', group, `${n} message(s) not consumed`);
  for (const id of s.bothVerdicts) add('approved-and-rejected', id, 'OrderApproved and OrderRejected both published');
};

/** One line per kind: how many, and the first few subjects. */
export const describeViolations = (v: Violation[]) =>
  [...groupBy(v, (x) => x.kind)].map(
    ([kind, xs]) =>
      `${kind}: ${xs.length} (${xs
        .slice(0, 3)
        .map((x) => `${x.subject}: ${x.detail}`)
        .join('; ')}${xs.length > 3 ? '; …' : ''})`,
  );
