import type { Producer } from 'kafkajs';
import { commandTopic, type Command } from '@saga/contracts';
import { postCommand } from '@saga/http';
import type { Pool } from '@saga/postgres';
import type { AttemptOutput, SagaIO, SagaRow } from './shared.ts';

export interface IoDeps {
  transport: 'kafka' | 'http';
  pool: Pool;
  /** Base URL of the service that handles a command type (HTTP transport). */
  urlFor: (type: Command['type']) => string;
  /** Kafka transport: where commands go. */
  producer: Producer;
  topic: (t: string) => string;
}

/** What the workflow's steps do: send a command over the transport, write the saga's row of the list. */
export const sagaIo = (d: IoDeps): SagaIO => ({
  transport: d.transport,

  async attempt(command: Command, timeoutMs: number): Promise<AttemptOutput> {
    if (d.transport === 'http') {
      const r = await postCommand(d.urlFor(command.type), command, timeoutMs);
      if (r.kind === 'failed') return { kind: 'no-answer', error: `${command.type}: ${r.error}`, at: Date.now() };
      return { kind: 'answer', outcome: r.outcome, ...(r.reason ? { reason: r.reason } : {}) };
    }
    await d.producer.send({
      topic: d.topic(commandTopic(command.type)),
      messages: [{ key: command.sagaId, value: JSON.stringify(command) }],
    });
    return { kind: 'sent', at: Date.now() };
  },

  async record(row: SagaRow) {
    await d.pool.query(
      `INSERT INTO dbos_sagas (id, status, current_step, reason, past_pivot, deadline_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET status = $2, current_step = $3, reason = $4, past_pivot = $5, updated_at = now()`,
      [row.id, row.status, row.step, row.reason, row.pastPivot, new Date(row.deadlineAt)],
    );
  },

  async pivot(id: string) {
    const { rows } = await d.pool.query<{ asked: string | null }>(
      `WITH taken AS (
         UPDATE dbos_sagas SET past_pivot = true, current_step = 'approveOrder', updated_at = now()
         WHERE id = $1 AND compensate_asked IS NULL RETURNING id)
       SELECT compensate_asked AS asked FROM dbos_sagas WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM taken)`,
      [id],
    );
    return rows[0]?.asked ?? null;
  },
});

/**
 * The operator API's side of the pivot: asks the saga's row to compensate; true when the saga is
 * still running before its pivot and nobody asked yet (else the row says why not).
 */
export const askCompensate = async (pool: Pool, id: string, requestId: string): Promise<boolean> =>
  ((
    await pool.query(
      `UPDATE dbos_sagas SET compensate_asked = $2, updated_at = now()
       WHERE id = $1 AND status = 'RUNNING' AND NOT past_pivot AND compensate_asked IS NULL`,
      [id, requestId],
    )
  ).rowCount ?? 0) > 0;
