import { useRef, useState } from 'preact/hooks';
import { OPERATOR_ACTIONS, type OperatorAction } from '@saga/contracts/saga';
import { listSagas, operate } from './api.ts';
import { operatorQuery, type ListState } from './state.ts';
import { NoteField } from './view.tsx';

interface Progress {
  action: OperatorAction;
  of: number;
  done: number;
  refused: { id: string; why: string }[];
  running: boolean;
}

/** Every saga id the filter selects now (paged through the operator API, 200 at a time). */
const idsOf = async (state: ListState, total: number) => {
  const ids: string[] = [];
  for (let page = 1; ids.length < total; page++) {
    const p = await listSagas(state.source, operatorQuery(state, page, 200));
    ids.push(...p.items.map((s) => s.id));
    if (p.items.length < 200) break;
  }
  return [...new Set(ids)];
};

/**
 * An operator action on every saga the current filter selects: the ids are taken once, then
 * acted on four at a time with a progress bar; what a coordinator refused is listed with its reason.
 */
export const Batch = ({
  state,
  total,
  token,
  done,
}: {
  state: ListState;
  total: number;
  token: string;
  /** Called when the batch has finished (the list reads itself again). */
  done: () => void;
}) => {
  const [action, setAction] = useState<OperatorAction>('retry');
  const [note, setNote] = useState('');
  const [progress, setProgress] = useState<Progress | undefined>();
  const cancelled = useRef(false);

  const run = async () => {
    if (!confirm(`${action} all ${total} sagas this filter selects?`)) return;
    cancelled.current = false;
    const ids = await idsOf(state, total);
    const p: Progress = { action, of: ids.length, done: 0, refused: [], running: true };
    setProgress({ ...p });
    const queue = [...ids];
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined && !cancelled.current; id = queue.shift()) {
        await operate(state.source, id, action, token, note || undefined).catch((e: Error) =>
          p.refused.push({ id, why: e.message }),
        );
        p.done++;
        setProgress({ ...p, refused: [...p.refused] });
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    setProgress({ ...p, refused: [...p.refused], running: false });
    done();
  };

  return (
    <div class="batch">
      <form
        aria-label="Batch action"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <label>
          Action on all {total} selected
          <select value={action} onChange={(e) => setAction((e.target as HTMLSelectElement).value as OperatorAction)}>
            {OPERATOR_ACTIONS.map((a) => (
              <option value={a}>{a}</option>
            ))}
          </select>
        </label>
        <NoteField label="Note" note={note} setNote={setNote} />
        <button
          type="submit"
          disabled={total === 0 || progress?.running || !token}
          title={token ? '' : 'enter the admin token first'}
        >
          Apply to all selected
        </button>
        {progress?.running && (
          <button type="button" onClick={() => (cancelled.current = true)}>
            Stop
          </button>
        )}
      </form>
      {progress && (
        <div class="progress" role="status" aria-live="polite">
          <progress max={progress.of} value={progress.done} aria-label={`batch ${progress.action}`} />
          <span>
            {progress.action}: {progress.done} / {progress.of} done
            {progress.refused.length > 0 && `, ${progress.refused.length} refused`}
            {!progress.running && ' — finished'}
          </span>
          {progress.refused.length > 0 && (
            <details>
              <summary>Refused</summary>
              <ul>
                {progress.refused.map((r) => (
                  <li>
                    {r.id}: {r.why}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </div>
      )}
    </div>
  );
};
