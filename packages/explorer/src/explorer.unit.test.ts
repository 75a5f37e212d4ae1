import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COORDINATOR_NAMES } from '@saga/launcher';
import { listParams, operatorQuery, parseList, travelled } from '../ui/state.ts';
import { ListSagasQuery, type SagaStatus, type SagaSummary } from '@saga/contracts';
import { archivedSources, newestArchivedRun, pageOfKept, type SagaArchive } from './archive.ts';
import { modeLinks, runsIn, sourcesOf } from './server.ts';

describe('the explorer’s sources: every coordinator of the registry, at its operator API', () => {
  it('one per driver, at its port setting, its default, or EXPLORER_<NAME>_URL', () => {
    const s = sourcesOf({ ORCHESTRATOR_PORT: '4010', EXPLORER_DBOS_URL: 'http://10.0.0.5:9999/' });
    expect(s.map((x) => x.name)).toEqual(COORDINATOR_NAMES);
    expect(s.find((x) => x.name === 'custom')!.url).toBe('http://127.0.0.1:4010');
    expect(s.find((x) => x.name === 'dbos')!.url).toBe('http://10.0.0.5:9999');
    expect(s.find((x) => x.name === 'restate')!.url).toBe('http://127.0.0.1:3013');
    expect(s.find((x) => x.name === 'choreography')!.url).toBe('http://127.0.0.1:3001');
  });
  it('links Temporal and Restate to their own web UIs; only Temporal cannot filter by step', () => {
    const s = sourcesOf({ TEMPORAL_UI_URL: 'http://127.0.0.1:8233' });
    expect(s.find((x) => x.name === 'temporal')!.ui).toEqual({
      base: 'http://127.0.0.1:8233/namespaces/default/workflows',
      saga: 'http://127.0.0.1:8233/namespaces/default/workflows/{id}',
    });
    expect(s.find((x) => x.name === 'restate')!.ui?.base).toBe('http://127.0.0.1:9070/ui');
    expect(s.filter((x) => x.ui).map((x) => x.name)).toEqual(['temporal', 'restate']);
    expect(s.filter((x) => !x.filtersByStep).map((x) => x.name)).toEqual(['temporal']);
  });
  it("links a Temporal coordinator on the server on PostgreSQL, and a run's temporal-pg modes, to temporal-pg-ui", () => {
    const onPg = sourcesOf({ TEMPORAL_ADDRESS: '127.0.0.1:7333' }).find((x) => x.name === 'temporal')!;
    expect(onPg.ui?.saga).toBe('http://127.0.0.1:8333/namespaces/default/workflows/{id}');
    const links = modeLinks({ TEMPORAL_PG_UI_URL: 'http://127.0.0.1:9333/', TEMPORAL_NAMESPACE: 'a b' });
    expect(links('temporal-pg-http')?.base).toBe('http://127.0.0.1:9333/namespaces/a%20b/workflows');
    expect(links('temporal-kafka')?.base).toBe('http://127.0.0.1:8233/namespaces/a%20b/workflows');
    expect(links('restate-http')?.base).toBe('http://127.0.0.1:9070/ui');
    expect(links('custom-kafka')).toBeUndefined();
    expect(links('no-such-mode')).toBeUndefined();
  });
});

describe('the benchmark runs the explorer lists', () => {
  it('those with results.json, newest first, each with its report page when it has one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runs-'));
    const run = (id: string, at: string, page: boolean) => {
      mkdirSync(join(dir, id));
      writeFileSync(
        join(dir, id, 'results.json'),
        JSON.stringify({ at, settings: { suites: ['latency'], modes: ['custom-kafka'] } }),
      );
      if (page) writeFileSync(join(dir, id, 'index.html'), '<p>');
    };
    run('old', '2026-01-01T00:00:00.000Z', true);
    run('new', '2026-02-01T00:00:00.000Z', false);
    mkdirSync(join(dir, 'old', 'sagas'));
    writeFileSync(join(dir, 'old', 'sagas', 'custom-kafka.json'), JSON.stringify(kept));
    mkdirSync(join(dir, 'not-a-run'));
    expect(runsIn(dir)).toEqual([
      {
        id: 'new',
        generatedAt: '2026-02-01T00:00:00.000Z',
        suites: ['latency'],
        modes: ['custom-kafka'],
        report: null,
        keptSagas: [],
      },
      {
        id: 'old',
        generatedAt: '2026-01-01T00:00:00.000Z',
        suites: ['latency'],
        modes: ['custom-kafka'],
        report: '/runs/old/index.html',
        keptSagas: ['custom-kafka'],
      },
    ]);
    expect(runsIn(join(dir, 'missing'))).toEqual([]);
    expect(archivedSources(dir, 'old').map((s) => [s.name, s.archived?.mode])).toEqual([
      ['run:old:custom-kafka', 'custom-kafka'],
    ]);
    expect(archivedSources(dir, '../old')).toEqual([]);
    expect(newestArchivedRun(dir)).toBe('old');
    expect(newestArchivedRun(join(dir, 'missing'))).toBeUndefined();
  });
});

const saga = (id: string, status: SagaStatus, createdAt: string, more: Partial<SagaSummary> = {}): SagaSummary => ({
  id,
  status,
  currentStep: null,
  reason: null,
  customerId: 'alice',
  createdAt,
  updatedAt: createdAt,
  ...more,
});
const kept: SagaArchive = {
  mode: 'custom-kafka',
  coordinator: 'custom',
  archivedAt: '2026-01-01T00:00:00.000Z',
  sagas: [
    saga('a', 'COMPLETED', '2026-01-01T00:00:01.000Z'),
    saga('b', 'REJECTED', '2026-01-01T00:00:02.000Z', { customerId: 'bob' }),
    saga('c', 'NEEDS_ATTENTION', '2026-01-01T00:00:03.000Z', {
      currentStep: 'releaseStock',
      updatedAt: '2026-01-01T00:00:09Z',
    }),
    saga('d', 'RUNNING', '2026-01-01T00:00:04.000Z', {
      currentStep: 'authorizePayment',
      updatedAt: '2026-01-01T00:00:05Z',
    }),
  ],
  timelines: {},
};

describe('a benchmark run’s kept sagas, listed with the operator API’s meaning', () => {
  const q = (more: Partial<ListSagasQuery>) => ListSagasQuery.parse(more);
  const ids = (more: Partial<ListSagasQuery>) => pageOfKept(kept.sagas, q(more)).items.map((s) => s.id);
  it('orders oldest first by default, newest first, or stuck longest first (unfinished, by last change)', () => {
    expect(ids({})).toEqual(['a', 'b', 'c', 'd']);
    expect(ids({ sort: 'newest' })).toEqual(['d', 'c', 'b', 'a']);
    expect(ids({ sort: 'stuck' })).toEqual(['d', 'c']);
  });
  it('filters by status, step, id, customer and age; counts per status under the other filters', () => {
    expect(ids({ status: 'REJECTED' })).toEqual(['b']);
    expect(ids({ step: 'releaseStock' })).toEqual(['c']);
    expect(ids({ id: 'a' })).toEqual(['a']);
    expect(ids({ customerId: 'bob' })).toEqual(['b']);
    expect(ids({ createdBefore: '2026-01-01T00:00:02Z' })).toEqual(['a']);
    const page = pageOfKept(kept.sagas, q({ customerId: 'alice', status: 'COMPLETED' }));
    expect(page.total).toBe(1);
    expect(page.counts).toEqual({
      RUNNING: 1,
      COMPENSATING: 0,
      COMPLETED: 1,
      REJECTED: 0,
      NEEDS_ATTENTION: 1,
      RESOLVED: 0,
    });
  });
  it('pages', () => {
    expect(pageOfKept(kept.sagas, q({ page: 2, pageSize: 3 }))).toMatchObject({ total: 4, items: [{ id: 'd' }] });
  });
});

describe('the list’s state in the address and its operator API query', () => {
  it('round-trips through the address, defaults left out', () => {
    const s = parseList(new URLSearchParams('source=dbos&status=REJECTED&customerId=bob&sort=stuck&page=3'), 'custom');
    expect(s).toEqual({
      source: 'dbos',
      status: 'REJECTED',
      step: '',
      id: '',
      customerId: 'bob',
      olderThan: '',
      sort: 'stuck',
      page: 3,
    });
    expect(parseList(listParams(s), 'custom')).toEqual(s);
    expect(listParams(parseList(new URLSearchParams(''), 'temporal')).toString()).toBe('source=temporal');
  });
  it('an unknown order or page falls back to the defaults', () => {
    expect(parseList(new URLSearchParams('sort=fastest&page=-2'), 'custom')).toMatchObject({ sort: 'newest', page: 1 });
  });
  it('asks the operator API for the page, the filters, and an age as createdBefore', () => {
    const now = Date.now();
    const q = operatorQuery(
      parseList(new URLSearchParams('source=custom&step=releaseStock&id= o-1 &olderThan=600&page=2'), 'custom'),
    );
    expect(Object.fromEntries([...q].filter(([k]) => k !== 'createdBefore'))).toEqual({
      page: '2',
      pageSize: '50',
      sort: 'newest',
      step: 'releaseStock',
      id: 'o-1',
    });
    const before = Date.parse(q.get('createdBefore')!);
    expect(before).toBeGreaterThanOrEqual(now - 600_000 - 1_000);
    expect(before).toBeLessThanOrEqual(Date.now() - 600_000);
  });
});

describe("a history entry's route as the saga page shows it", () => {
  it('names the outbox, the topic with partition and offset where recorded, or the HTTP request', () => {
    const r = (
      transport: 'outbox' | 'kafka' | 'http',
      to: string,
      partition: number | null = null,
      offset: string | null = null,
    ) => ({
      transport,
      to,
      partition,
      offset,
    });
    expect(travelled(r('outbox', 'inventory.commands'))).toBe('outbox → Kafka inventory.commands');
    expect(travelled(r('kafka', 'saga.replies', 3, '1207'))).toBe('Kafka saga.replies partition 3, offset 1207');
    expect(travelled(r('kafka', 'payment.commands'))).toBe('Kafka payment.commands');
    expect(travelled(r('http', 'POST http://127.0.0.1:3003/commands/AuthorizePayment'))).toBe(
      'HTTP POST http://127.0.0.1:3003/commands/AuthorizePayment',
    );
    expect(travelled(undefined)).toBe('');
  });
});
