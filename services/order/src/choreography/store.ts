import type { DomainEvent, MessageRoute, SagaStatus } from '@saga/contracts';
import type { Queryable } from '@saga/postgres';
import type { Derived, ViewEntry, ViewState } from './view.ts';

/** The saga view's rows (saga_view, saga_view_history): one per saga, and its typed history. */

export interface ViewRow extends ViewState {
  id: string;
  status: SagaStatus;
  events: Record<string, { topic: string; message: DomainEvent }>;
  note: string | null;
}

export const load = async (db: Queryable, id: string): Promise<ViewRow | undefined> => {
  const { rows } = await db.query<ViewRow>(
    'SELECT id, status, facts, events, reason, parked, note FROM saga_view WHERE id = $1 FOR UPDATE',
    [id],
  );
  const r = rows[0];
  return r && { ...r, resolved: r.status === 'RESOLVED' };
};

/** `event`: the event heard, and where it was consumed (its topic, partition and offset). */
export const save = async (
  db: Queryable,
  r: ViewRow,
  d: Derived,
  entry: ViewEntry,
  event?: { message: DomainEvent; via: MessageRoute },
) => {
  const running = d.status === 'RUNNING' && !d.pastPivot;
  await db.query(
    `UPDATE saga_view SET status = $2, current_step = $3, past_pivot = $4, facts = $5, events = $6, reason = $7, parked = $8, note = $9,
       deadline_at = CASE WHEN $10 THEN deadline_at END, updated_at = now() WHERE id = $1`,
    [
      r.id,
      d.status,
      d.pending.join('+') || null,
      d.pastPivot,
      r.facts,
      JSON.stringify(r.events),
      r.reason,
      r.parked,
      r.note,
      running,
    ],
  );
  await db.query(
    'INSERT INTO saga_view_history (saga_id, cause, step, detail, event, message_id, occurred_at, status, via) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
    [
      r.id,
      entry.kind,
      entry.step ?? null,
      entry.detail ?? null,
      event?.message.type ?? null,
      event?.message.messageId ?? null,
      event?.message.occurredAt ?? null,
      d.status,
      event ? JSON.stringify(event.via) : null,
    ],
  );
};
