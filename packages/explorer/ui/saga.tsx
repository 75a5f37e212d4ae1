import { useEffect, useState } from 'preact/hooks';
import { isTerminal, OPERATOR_ACTIONS, type OperatorAction } from '@saga/contracts/saga';
import type { SagaTimeline } from '@saga/contracts';
import { getSaga, operate, type Source } from './api.ts';
import { travelled } from './state.ts';
import { NoteField, Status, Table, time, took } from './view.tsx';

type Entry = SagaTimeline['history'][number];

/** The ids of a history entry's command and reply or event. */
const ids = (h: Entry) =>
  [h.commandId && `command ${h.commandId}`, h.messageId && `message ${h.messageId}`].filter(Boolean).join(' · ');

const Actions = ({
  name,
  saga,
  token,
  done,
}: {
  name: string;
  saga: SagaTimeline;
  token: string;
  done: () => void;
}) => {
  const [note, setNote] = useState('');
  const [said, setSaid] = useState<{ ok: boolean; text: string } | undefined>();
  const [busy, setBusy] = useState(false);
  const act = async (action: OperatorAction) => {
    setBusy(true);
    try {
      const r = await operate(name, saga.id, action, token, note || undefined);
      setSaid({
        ok: true,
        text: `${action}: the saga is now ${r.status}${r.currentStep ? ` at ${r.currentStep}` : ''}`,
      });
      setNote('');
    } catch (e) {
      setSaid({ ok: false, text: `${action} refused: ${(e as Error).message}` });
    } finally {
      setBusy(false);
      done();
    }
  };
  return (
    <form class="actions" aria-label="Operator actions" onSubmit={(e) => e.preventDefault()}>
      <NoteField label="Note (kept in the timeline)" note={note} setNote={setNote} />
      {OPERATOR_ACTIONS.map((a) => (
        <button
          type="button"
          disabled={busy || !token || isTerminal(saga.status)}
          title={!token ? 'enter the admin token first' : isTerminal(saga.status) ? 'the saga is finished' : ''}
          onClick={() => void act(a)}
        >
          {a}
        </button>
      ))}
      {said && (
        <p role={said.ok ? 'status' : 'alert'} class={said.ok ? 'ok' : 'error'}>
          {said.text}
        </p>
      )}
    </form>
  );
};

/** One saga: its head, steps and attempts, compensation, pending timer, history, actions; live until it is finished. */
export const SagaPage = ({ source, name, id, token }: { source?: Source; name: string; id: string; token: string }) => {
  const [saga, setSaga] = useState<SagaTimeline | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let stop = false;
    const load = () =>
      getSaga(name, id).then(
        (s) => !stop && (setSaga(s), setError(undefined)),
        (e: Error) => !stop && setError(e.message),
      );
    void load();
    const t = setInterval(() => void load(), 1_500);
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, [name, id, tick]);

  const back = `#/?source=${encodeURIComponent(name)}`;
  const label = source?.archived ? `run ${source.archived.run}, ${source.archived.mode}` : name;
  if (!saga)
    return (
      <section>
        <p>
          <a href={back}>← {label}'s sagas</a>
        </p>
        <h1>Saga {id}</h1>
        {error ? (
          <p role="alert" class="error">
            {error}
          </p>
        ) : (
          <p>Loading…</p>
        )}
      </section>
    );
  return (
    <section aria-labelledby="saga-title">
      <p>
        <a href={back}>← {label}'s sagas</a>
      </p>
      <h1 id="saga-title">
        Saga {saga.id} <Status status={saga.status} />
      </h1>
      <dl class="head">
        <dt>Coordinator</dt>
        <dd>
          {name}
          {source?.ui && (
            <>
              {' · '}
              <a href={source.ui.saga.replace('{id}', encodeURIComponent(saga.id))} target="_blank" rel="noreferrer">
                open in its web UI
              </a>
            </>
          )}
        </dd>
        <dt>Current step</dt>
        <dd>{saga.currentStep ?? '—'}</dd>
        <dt>Reason</dt>
        <dd>{saga.reason ?? '—'}</dd>
        <dt>Started</dt>
        <dd>{time(saga.createdAt)}</dd>
        <dt>Last change</dt>
        <dd>{time(saga.updatedAt)}</dd>
        <dt>Deadline</dt>
        <dd>{time(saga.deadlineAt)}</dd>
      </dl>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {source?.archived ? (
        <p class="muted">Kept from benchmark run {source.archived.run}: read-only.</p>
      ) : (
        <Actions name={name} saga={saga} token={token} done={() => setTick((t) => t + 1)} />
      )}

      <h2>Steps</h2>
      <Table class="steps" head={['Step', 'Kind', 'State', 'Attempts', 'Started', 'Took', 'Detail']}>
        {saga.steps.map((s) => (
          <tr class={`step-${s.state}`}>
            <td>{s.step}</td>
            <td>{s.kind === 'undo' ? 'compensation' : 'step'}</td>
            <td>{s.state}</td>
            <td>{s.attempts ?? '—'}</td>
            <td>{time(s.startedAt)}</td>
            <td>{took(s.startedAt, s.finishedAt)}</td>
            <td>{s.detail ?? ''}</td>
          </tr>
        ))}
      </Table>

      <h2>Compensation</h2>
      {saga.compensation.started ? (
        <p>
          Done: {saga.compensation.done.join(', ') || 'nothing yet'} · still owed:{' '}
          {saga.compensation.owed.join(', ') || 'nothing'}
        </p>
      ) : (
        <p>Not compensating.</p>
      )}

      <h2>Pending</h2>
      {saga.pending.length === 0 ? (
        <p>Nothing pending.</p>
      ) : (
        <ul>
          {saga.pending.map((p) => (
            <li>
              {p.step}: attempt {p.attempts ?? '?'} since {time(p.since)}, next timer {time(p.nextTimerAt)}
            </li>
          ))}
        </ul>
      )}

      <h2>History</h2>
      <Table
        class="history"
        head={['At', 'What', 'Step', 'Attempt', 'Status after', 'Detail', 'Messages', 'Travelled']}
      >
        {saga.history.map((h) => (
          <tr class={`kind-${h.kind}`}>
            <td>{time(h.at)}</td>
            <td>{h.kind}</td>
            <td>{h.step ?? ''}</td>
            <td>{h.attempt ?? ''}</td>
            <td>{h.status ?? ''}</td>
            <td>{h.detail ?? ''}</td>
            <td>{ids(h)}</td>
            <td>{travelled(h.via)}</td>
          </tr>
        ))}
      </Table>

      <h2>What only {name} keeps</h2>
      {/* Focusable: it scrolls when long, and a keyboard must be able to scroll it (axe: scrollable-region-focusable). */}
      <pre class="coordinator" tabIndex={0} aria-label={`What only ${name} keeps`}>
        {JSON.stringify(saga.coordinator, null, 2)}
      </pre>
    </section>
  );
};
