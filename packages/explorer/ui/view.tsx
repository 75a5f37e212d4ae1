import type { ComponentChildren } from 'preact';
import type { SagaStatus } from '@saga/contracts/saga';

/** A saga's status as a labelled badge (text, not colour alone). */
export const Status = ({ status }: { status: SagaStatus }) => (
  <span class={`status status-${status.toLowerCase()}`}>{status}</span>
);

/** A time of day with milliseconds (sagas move in milliseconds). */
export const time = (iso: string | null) => {
  if (!iso) return '—';
  const d = new Date(iso);
  return `${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
};

/** How long ago, in the largest whole unit. */
export const ago = (iso: string) => {
  const s = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 60) return `${Math.floor(s)} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
};

/** Milliseconds between two times, or '' when either is missing. */
export const took = (from: string | null, to: string | null) =>
  from && to ? `${Math.max(0, new Date(to).getTime() - new Date(from).getTime())} ms` : '';

/** A table with a header row of `head` (column names) and `children` as its body rows. */
export const Table = ({
  head,
  class: cls,
  caption,
  children,
}: {
  head: string[];
  class?: string;
  caption?: ComponentChildren;
  children: ComponentChildren;
}) => (
  <table class={cls}>
    {caption && <caption>{caption}</caption>}
    <thead>
      <tr>
        {head.map((h) => (
          <th scope="col">{h}</th>
        ))}
      </tr>
    </thead>
    <tbody>{children}</tbody>
  </table>
);

/** The note an operator action carries (kept in the saga's history). */
export const NoteField = ({ label, note, setNote }: { label: string; note: string; setNote: (n: string) => void }) => (
  <label>
    {label}
    <input type="text" value={note} maxLength={2000} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
  </label>
);
