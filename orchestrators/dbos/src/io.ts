import { attemptCommand, recordSagaRow, type CommandDeps } from '@saga/service';
import type { Pool } from '@saga/postgres';
import type { SagaIO } from './shared.ts';

export interface IoDeps extends CommandDeps {
  pool: Pool;
}

/** What the workflow's steps do: send a command over the transport, write the saga's row of the list. */
export const sagaIo = (d: IoDeps): SagaIO => ({
  attempt: attemptCommand(d),
  record: (row) => recordSagaRow(d.pool, 'dbos_sagas', row),

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
