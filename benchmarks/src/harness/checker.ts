/**
 * The correctness checker run after every suite: what the four service databases (and the
 * dead-letter topics, and the coordinator) say must add up. Pure: `check(snapshot)` lists the
 * violations; `snapshot.ts` reads the real databases.
 */
export interface Snapshot {
  orders: { id: string; status: string; totalCents: number; lines: { sku: string; quantity: number }[] }[];
  reservations: { orderId: string; sku: string; quantity: number; status: string }[];
  products: { sku: string; onHand: number; reserved: number; committed: number; seeded: number }[];
  holds: { orderId: string; customerId: string; amountCents: number; status: string }[];
  customers: { id: string; heldCents: number }[];
  notifications: { orderId: string; kind: string }[];
  /** Sagas the coordinator still runs although their deadline (plus the time to roll back) passed. */
  sagasPastDeadline: string[];
  /** Messages on each dead-letter topic, each source message counted once. */
  deadLetters: Record<string, number>;
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
  | 'dead-letters';

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

/** One line per kind: how many, and the first few subjects. */
export const describeViolations = (v: Violation[]) =>
  [...groupBy(v, (x) => x.kind)].map(
    ([kind, xs]) =>
      `${kind}: ${xs.length} (${xs
        .slice(0, 3)
        .map((x) => `${x.subject}: ${x.detail}`)
        .join('; ')}${xs.length > 3 ? '; …' : ''})`,
  );
