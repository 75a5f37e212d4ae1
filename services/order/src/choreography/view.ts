import { Topics, type DomainEvent, type HistoryKind, type SagaStatus } from '@saga/contracts';

/**
 * A choreographed saga as the order service sees it (ADR 0018): a set of facts — the events the
 * services published — from which its status and pending steps follow. Order-tolerant on purpose:
 * events of one saga arrive on four topics, in no guaranteed order between them.
 */
export interface ViewState {
  facts: string[];
  reason: string | null;
  /** Why it waits for a person (a compensation or a step past the pivot gave up). */
  parked: string | null;
  resolved: boolean;
}

/** Steps before the pivot whose failure means "compensate" (their own business events say why). */
export const FORWARD_STEPS = ['reserveStock', 'authorizePayment'] as const;

/** The fact an event records (NotificationSent by kind; a forward step that gave up). */
export const factOf = (e: DomainEvent): string | undefined => {
  switch (e.type) {
    case 'NotificationSent':
      return `NotificationSent:${e.payload.kind}`;
    case 'ReactionFailed':
      return (FORWARD_STEPS as readonly string[]).includes(e.payload.step) ? 'ForwardStepFailed' : undefined;
    default:
      return e.type;
  }
};

/** Which fact's event starts each step (what an operator retry publishes again). */
export const TRIGGER_OF: Record<string, string> = {
  reserveStock: 'OrderCreated',
  authorizePayment: 'StockReserved',
  approveOrder: 'PaymentAuthorized',
  commitStock: 'OrderApproved',
  notifyConfirmed: 'OrderApproved',
  voidPayment: 'OrderRejected',
  releaseStock: 'PaymentVoided',
  notifyRejected: 'StockReleased',
};

/** The events topic of the service that runs a step (where its ReactionFailed comes from). */
export const publisherOf = (step: string): string =>
  ['reserveStock', 'releaseStock', 'commitStock'].includes(step)
    ? Topics.inventoryEvents
    : ['authorizePayment', 'voidPayment'].includes(step)
      ? Topics.paymentEvents
      : step.startsWith('notify')
        ? Topics.notificationEvents
        : Topics.orderEvents;

export interface Derived {
  status: SagaStatus;
  /** Steps the saga waits for now (two at once past the pivot: commit and notify). */
  pending: string[];
  pastPivot: boolean;
}

/**
 * Status and pending steps from the facts: past the pivot (OrderApproved) commit and notify; after
 * the verdict OrderRejected, void → release → notify, in that order (each service reacts to the
 * previous one's event); before either, the forward steps.
 */
export const derive = (v: ViewState): Derived => {
  const has = (f: string) => v.facts.includes(f);
  const settle = (pending: string[], open: SagaStatus, done: SagaStatus, pastPivot: boolean): Derived => ({
    status: v.resolved ? 'RESOLVED' : pending.length === 0 ? done : v.parked ? 'NEEDS_ATTENTION' : open,
    pending: v.resolved ? [] : pending,
    pastPivot,
  });
  if (has('OrderApproved')) {
    const pending = [
      ...(has('StockCommitted') ? [] : ['commitStock']),
      ...(has('NotificationSent:confirmed') ? [] : ['notifyConfirmed']),
    ];
    return settle(pending, 'RUNNING', 'COMPLETED', true);
  }
  if (has('OrderRejected')) {
    const chain: [string, string][] = [
      ['voidPayment', 'PaymentVoided'],
      ['releaseStock', 'StockReleased'],
      ['notifyRejected', 'NotificationSent:rejected'],
    ];
    const next = chain.find(([, fact]) => !has(fact));
    return settle(next ? [next[0]] : [], 'COMPENSATING', 'REJECTED', false);
  }
  const step =
    has('StockRefused') || has('PaymentDeclined') || has('ForwardStepFailed')
      ? 'rejectOrder'
      : has('PaymentAuthorized')
        ? 'approveOrder'
        : has('StockReserved')
          ? 'authorizePayment'
          : 'reserveStock';
  return settle([step], 'RUNNING', 'RUNNING', false);
};

/** The view after one event; `parked` is set by a reaction that gave up and cleared by the next progress. */
export const apply = (v: ViewState, e: DomainEvent): ViewState => {
  const fact = factOf(e);
  const facts = fact && !v.facts.includes(fact) ? [...v.facts, fact] : v.facts;
  const reason = e.type === 'OrderRejected' ? (v.reason ?? e.payload.reason) : v.reason;
  if (e.type === 'ReactionFailed' && !fact) return { ...v, facts, parked: `${e.payload.step}: ${e.payload.reason}` };
  // Something moved: a parked saga carries on (its stuck step answered after all).
  const parked = facts.length > v.facts.length ? null : v.parked;
  return { ...v, facts, reason, parked };
};

/** A typed history entry of the view (contracts `HistoryLine` without time, status and ids). */
export interface ViewEntry {
  kind: HistoryKind;
  step?: string | null;
  detail?: string | null;
}

/** Which step's end each event records. */
const STEP_OF: Partial<Record<DomainEvent['type'], string>> = {
  StockReserved: 'reserveStock',
  StockRefused: 'reserveStock',
  PaymentAuthorized: 'authorizePayment',
  PaymentDeclined: 'authorizePayment',
  OrderApproved: 'approveOrder',
  OrderRejected: 'rejectOrder',
  PaymentVoided: 'voidPayment',
  StockReleased: 'releaseStock',
  StockCommitted: 'commitStock',
};

/** The view's history entry for an event: a step's end (a business refusal, a reaction that gave up) or the start. */
export const entryOf = (e: DomainEvent): ViewEntry => {
  switch (e.type) {
    case 'OrderCreated':
      return { kind: 'started' };
    case 'ReactionFailed':
      return { kind: 'gave-up', step: e.payload.step, detail: e.payload.reason };
    case 'StockRefused':
    case 'PaymentDeclined':
      return { kind: 'refused', step: STEP_OF[e.type], detail: e.payload.reason };
    case 'NotificationSent':
      return { kind: 'succeeded', step: e.payload.kind === 'confirmed' ? 'notifyConfirmed' : 'notifyRejected' };
    case 'OrderRejected':
      return { kind: 'succeeded', step: 'rejectOrder', detail: e.payload.reason };
    default: {
      const step = STEP_OF[e.type];
      return step ? { kind: 'succeeded', step } : { kind: 'note', detail: e.type };
    }
  }
};

/**
 * The steps an entry of the view asks for: in a choreography a step is requested by the event it
 * reacts to (TRIGGER_OF) — the verdict `rejectOrder` by a refusal, a forward step that gave up, or
 * the deadline; an operator retry publishes the pending steps' events again.
 */
export const requestedBy = (entry: {
  kind: HistoryKind;
  event: string | null;
  step: string | null;
  detail: string | null;
}): string[] => {
  // An event the view ignored (its saga finished) asks for nothing.
  if (entry.kind === 'ignored') return [];
  if (
    entry.kind === 'refused' ||
    entry.kind === 'deadline' ||
    (entry.kind === 'gave-up' && (FORWARD_STEPS as readonly string[]).includes(entry.step ?? ''))
  )
    return ['rejectOrder'];
  if (entry.kind === 'operator' && entry.detail?.startsWith('retry')) return entry.step?.split(', ') ?? [];
  const fact = entry.event === 'NotificationSent' ? null : entry.event;
  return fact ? Object.keys(TRIGGER_OF).filter((step) => TRIGGER_OF[step] === fact) : [];
};
