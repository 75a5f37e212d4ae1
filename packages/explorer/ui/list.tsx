import { useEffect, useRef, useState } from 'preact/hooks';
import { ORDER_SAGA_STEPS, SAGA_STATUSES, UNDO_OF, type SagaSort } from '@saga/contracts/saga';
import type { SagaPage } from '@saga/contracts';
import { listSagas, type Source } from './api.ts';
import { Batch } from './batch.tsx';
import { AGES, listParams, operatorQuery, PAGE_SIZE, type ListState } from './state.ts';
import { ago, Status, Table, time } from './view.tsx';

const STEPS = [...ORDER_SAGA_STEPS, ...Object.values(UNDO_OF)];
const SORTS: Record<SagaSort, string> = {
  newest: 'newest first',
  oldest: 'oldest first',
  stuck: 'stuck longest first',
};

/** An exact-id filter, applied when it changes (Enter or leaving the field). */
const IdField = ({ label, value, set }: { label: string; value: string; set: (v: string) => void }) => (
  <label>
    {label}
    <input
      type="search"
      value={value}
      placeholder="exact id"
      onChange={(e) => set((e.target as HTMLInputElement).value)}
    />
  </label>
);

/** Moves the address to `state` (the page follows the address). */
const go = (state: ListState) => {
  location.hash = `#/?${listParams(state).toString()}`;
};

/** The list of one coordinator's sagas: filters, counts per status, a page, live while it moves, batch actions. */
export const SagaList = ({ sources, state, token }: { sources: Source[]; state: ListState; token: string }) => {
  const source = sources.find((s) => s.name === state.source);
  const kept = sources.filter((s) => s.archived);
  const [page, setPage] = useState<SagaPage | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [live, setLive] = useState(true);
  const [updatedAt, setUpdatedAt] = useState<Date | undefined>();
  /** Bumped to read the list again at once (after a batch action). */
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(state);
  const latest = useRef(key);
  latest.current = key;

  /** The filter the page on screen belongs to: another one empties it (a reload keeps it, and the batch's progress). */
  const shown = useRef(key);
  useEffect(() => {
    if (shown.current !== key) {
      shown.current = key;
      setPage(undefined);
    }
    setError(undefined);
    let stop = false;
    const load = () =>
      listSagas(state.source, operatorQuery(state)).then(
        (p) => {
          if (stop || latest.current !== key) return;
          setPage(p);
          setError(undefined);
          setUpdatedAt(new Date());
        },
        (e: Error) => !stop && setError(e.message),
      );
    void load();
    const t = live ? setInterval(() => void load(), 2_000) : undefined;
    return () => {
      stop = true;
      if (t) clearInterval(t);
    };
  }, [key, live, tick]);

  const set = (patch: Partial<ListState>) => go({ ...state, page: 1, ...patch });
  const pages = page ? Math.max(1, Math.ceil(page.total / PAGE_SIZE)) : 1;
  const allCount = page ? Object.values(page.counts).reduce((a, b) => a + b, 0) : undefined;

  return (
    <section aria-labelledby="list-title">
      <h1 id="list-title">Sagas</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
        <label>
          Coordinator
          <select
            value={state.source}
            onChange={(e) => set({ source: (e.target as HTMLSelectElement).value, step: '' })}
          >
            <optgroup label="Coordinators">
              {sources
                .filter((s) => !s.archived)
                .map((s) => (
                  <option value={s.name}>
                    {s.name}
                    {s.up ? '' : ' (not running)'}
                  </option>
                ))}
            </optgroup>
            {kept.length > 0 && (
              <optgroup label={`Benchmark run ${kept[0]!.archived!.run} (kept)`}>
                {kept.map((s) => (
                  <option value={s.name}>{s.archived!.mode}</option>
                ))}
              </optgroup>
            )}
          </select>
        </label>
        <label>
          Current step
          <select
            value={state.step}
            disabled={source && !source.filtersByStep}
            title={source && !source.filtersByStep ? `${source.name}'s index keeps no current step` : undefined}
            onChange={(e) => set({ step: (e.target as HTMLSelectElement).value })}
          >
            <option value="">any step</option>
            {STEPS.map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Age
          <select value={state.olderThan} onChange={(e) => set({ olderThan: (e.target as HTMLSelectElement).value })}>
            {AGES.map((a) => (
              <option value={a.seconds}>{a.label}</option>
            ))}
          </select>
        </label>
        <IdField label="Order id" value={state.id} set={(id) => set({ id })} />
        <IdField label="Customer id" value={state.customerId} set={(customerId) => set({ customerId })} />
        <label>
          Order
          <select value={state.sort} onChange={(e) => set({ sort: (e.target as HTMLSelectElement).value as SagaSort })}>
            {Object.entries(SORTS).map(([v, l]) => (
              <option value={v}>{l}</option>
            ))}
          </select>
        </label>
        <label class="check">
          <input
            type="checkbox"
            disabled={!!source?.archived}
            checked={live && !source?.archived}
            onChange={(e) => setLive((e.target as HTMLInputElement).checked)}
          />
          Live
        </label>
      </form>

      {source && (
        <p class="source">
          {source.archived ? source.what : `${source.what} — operator API ${source.url}`}
          {source.up ? '' : ' (not answering: start it with ORCHESTRATOR=' + source.name + ' npm run services)'}
          {source.ui && (
            <>
              {' · '}
              <a href={source.ui.base} target="_blank" rel="noreferrer">
                its web UI
              </a>
            </>
          )}
        </p>
      )}

      <div class="tabs" role="group" aria-label="Status">
        <button type="button" aria-pressed={state.status === ''} onClick={() => set({ status: '' })}>
          All <span class="count">{allCount ?? '…'}</span>
        </button>
        {SAGA_STATUSES.map((s) => (
          <button type="button" aria-pressed={state.status === s} onClick={() => set({ status: s })}>
            {s} <span class="count">{page ? page.counts[s] : '…'}</span>
          </button>
        ))}
      </div>

      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}

      {page && (
        <>
          {!source?.archived && (
            <Batch state={state} total={page.total} token={token} done={() => setTick((t) => t + 1)} />
          )}
          <Table
            class="sagas"
            head={['Order (saga) id', 'Status', 'Current step', 'Customer', 'Started', 'Last change', 'Reason']}
            caption={
              <>
                {page.total === 1 ? '1 saga matches' : `${page.total} sagas match`}
                {updatedAt && <span class="muted"> · updated {time(updatedAt.toISOString())}</span>}
              </>
            }
          >
            {page.items.length === 0 && (
              <tr>
                <td colSpan={7}>No saga matches these filters.</td>
              </tr>
            )}
            {page.items.map((s) => (
              <tr>
                <td>
                  <a href={`#/saga/${encodeURIComponent(state.source)}/${encodeURIComponent(s.id)}`}>{s.id}</a>
                </td>
                <td>
                  <Status status={s.status} />
                </td>
                <td>{s.currentStep ?? '—'}</td>
                <td>{s.customerId ?? '—'}</td>
                <td title={s.createdAt}>{ago(s.createdAt)}</td>
                <td title={s.updatedAt ?? ''}>{s.updatedAt ? ago(s.updatedAt) : '—'}</td>
                <td>{s.reason ?? ''}</td>
              </tr>
            ))}
          </Table>
          <nav class="pager" aria-label="Pages">
            <button type="button" disabled={state.page <= 1} onClick={() => go({ ...state, page: state.page - 1 })}>
              Previous
            </button>
            <span>
              Page {state.page} of {pages}
            </span>
            <button type="button" disabled={state.page >= pages} onClick={() => go({ ...state, page: state.page + 1 })}>
              Next
            </button>
          </nav>
        </>
      )}
    </section>
  );
};
