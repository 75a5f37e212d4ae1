import { SAGA_SORTS, type MessageRoute, type SagaSort } from '@saga/contracts/saga';

/** What the list shows: the coordinator, the filters, the order and the page — kept in the address. */
export interface ListState {
  source: string;
  status: string;
  step: string;
  id: string;
  customerId: string;
  /** Only sagas older than this many seconds ('' = any age). */
  olderThan: string;
  sort: SagaSort;
  page: number;
}

export const AGES: readonly { label: string; seconds: string }[] = [
  { label: 'any age', seconds: '' },
  { label: 'older than 1 minute', seconds: '60' },
  { label: 'older than 10 minutes', seconds: '600' },
  { label: 'older than 1 hour', seconds: '3600' },
  { label: 'older than 1 day', seconds: '86400' },
];

export const PAGE_SIZE = 50;

/** The list state from the address's `#/?…` part (defaults for what is missing). */
export const parseList = (params: URLSearchParams, fallbackSource: string): ListState => {
  const sort = params.get('sort') ?? 'newest';
  return {
    source: params.get('source') ?? fallbackSource,
    status: params.get('status') ?? '',
    step: params.get('step') ?? '',
    id: params.get('id') ?? '',
    customerId: params.get('customerId') ?? '',
    olderThan: params.get('olderThan') ?? '',
    sort: (SAGA_SORTS as readonly string[]).includes(sort) ? (sort as SagaSort) : 'newest',
    page: Math.max(1, Number(params.get('page')) || 1),
  };
};

/** The address's query of a list state (only what differs from the defaults). */
export const listParams = (s: ListState) => {
  const p = new URLSearchParams({ source: s.source });
  for (const k of ['status', 'step', 'id', 'customerId', 'olderThan'] as const) if (s[k]) p.set(k, s[k]);
  if (s.sort !== 'newest') p.set('sort', s.sort);
  if (s.page > 1) p.set('page', String(s.page));
  return p;
};

/** The operator API's query of a list state (`createdBefore` from the age, now). */
export const operatorQuery = (s: ListState, page = s.page, pageSize = PAGE_SIZE) => {
  const q = new URLSearchParams({ page: String(page), pageSize: String(pageSize), sort: s.sort });
  if (s.status) q.set('status', s.status);
  if (s.step) q.set('step', s.step.trim());
  if (s.id) q.set('id', s.id.trim());
  if (s.customerId) q.set('customerId', s.customerId.trim());
  if (s.olderThan) q.set('createdBefore', new Date(Date.now() - Number(s.olderThan) * 1000).toISOString());
  return q;
};

/** Where its message travelled: the outbox and topic, a Kafka topic (partition and offset where recorded), or HTTP. */
export const travelled = (via: MessageRoute | null | undefined) => {
  if (!via) return '';
  if (via.transport === 'http') return `HTTP ${via.to}`;
  const at = via.partition === null ? '' : ` partition ${via.partition}, offset ${via.offset ?? '?'}`;
  return via.transport === 'outbox' ? `outbox → Kafka ${via.to}` : `Kafka ${via.to}${at}`;
};
