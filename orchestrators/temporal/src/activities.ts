import { CompleteAsyncError, Context } from '@temporalio/activity';
import type { Producer } from 'kafkajs';
import { commandEnvelope, commandTopic, type Command } from '@saga/contracts';
import { postCommand } from '@saga/http';
import type { Pool } from '@saga/postgres';
import type { CommandRequest, CommandResult, SagaActivities } from './shared.ts';

export interface ActivityDeps {
  transport: 'kafka' | 'http';
  /** Base URL of the service that handles a command type (HTTP transport). */
  urlFor: (type: Command['type']) => string;
  /** Kafka transport: where the command goes, and where its attempt's task token is parked. */
  producer?: Producer;
  pool?: Pool;
  topic?: (t: string) => string;
}

/**
 * How long a `pending_commands` row may sit untouched before the sweep deletes it: far past any
 * attempt (3 s start-to-close) and retry interval (≤ 10 s). Rows left behind are replies stored
 * for a next attempt that never came (the step gave up and compensated) and tokens of attempts
 * that died with their worker. Deleting one that was still wanted costs a re-send at most: the
 * service answers a duplicate command with its stored reply (ADR 0003).
 */
export const PENDING_TTL_MS = 10 * 60_000;

/** Deletes the pending-command rows untouched for `olderThanMs`; returns how many. */
export const sweepPendingCommands = async (pool: Pool, olderThanMs = PENDING_TTL_MS): Promise<number> =>
  (
    await pool.query('DELETE FROM pending_commands WHERE updated_at < now() - make_interval(secs => $1)', [
      olderThanMs / 1000,
    ])
  ).rowCount ?? 0;

/**
 * Kafka transport: hands a reply to the attempt that waits for it. The activity is completed
 * first and its row deleted after, so a bridge killed in between leaves the row (and the reply's
 * offset uncommitted): the redelivered reply completes the attempt, instead of finding nothing
 * and leaving it to time out. An attempt that no longer waits (it timed out, or a duplicate reply
 * already completed it) keeps the result for the command's next attempt; the sweep removes a kept
 * result that nobody comes for.
 */
export const completeFromReply = async (
  pool: Pool,
  complete: (taskToken: Uint8Array, result: CommandResult) => Promise<void>,
  commandId: string,
  result: CommandResult,
): Promise<'completed' | 'kept' | 'unknown'> => {
  const { rows } = await pool.query<{ task_token: Buffer }>(
    'SELECT task_token FROM pending_commands WHERE command_id = $1',
    [commandId],
  );
  const token = rows[0]?.task_token;
  if (!token) return 'unknown'; // a duplicate reply after its attempt completed, or one for a saga of another mode
  try {
    await complete(new Uint8Array(token), result);
  } catch {
    await pool.query('UPDATE pending_commands SET result = $2, updated_at = now() WHERE command_id = $1', [
      commandId,
      result,
    ]);
    return 'kept';
  }
  await pool.query('DELETE FROM pending_commands WHERE command_id = $1 AND task_token = $2', [commandId, token]);
  return 'completed';
};

/**
 * The saga's one activity: send a command to its service and return the reply. A technical
 * failure throws (Temporal retries it with the same command id); a refusal is a FAILURE value.
 * Over Kafka the activity completes asynchronously, when the reply arrives (`completeFromReply`).
 */
export const createActivities = (deps: ActivityDeps): SagaActivities => ({
  async sendCommand(req: CommandRequest): Promise<CommandResult> {
    const command = commandEnvelope(req, new Date());
    const { info, cancellationSignal } = Context.current();
    if (deps.transport === 'http') {
      // The attempt's own start-to-close timeout bounds it, as the custom engine's step timer does.
      const r = await postCommand(deps.urlFor(req.type), command, info.startToCloseTimeoutMs, cancellationSignal);
      if (r.kind === 'failed') throw new Error(`${req.type}: ${r.error}`);
      return { outcome: r.outcome, ...(r.reason ? { reason: r.reason } : {}), attempt: info.attempt };
    }
    const { taskToken } = info;
    // This attempt's token, and the reply if one came for an earlier attempt that timed out.
    const { rows } = await deps.pool!.query<{ result: CommandResult | null }>(
      `INSERT INTO pending_commands (command_id, task_token) VALUES ($1, $2)
       ON CONFLICT (command_id) DO UPDATE SET task_token = EXCLUDED.task_token, updated_at = now()
       RETURNING result`,
      [req.commandId, Buffer.from(taskToken)],
    );
    if (rows[0]?.result) {
      await deps.pool!.query('DELETE FROM pending_commands WHERE command_id = $1', [req.commandId]);
      return rows[0].result;
    }
    await deps.producer!.send({
      topic: deps.topic!(commandTopic(req.type)),
      messages: [{ key: req.sagaId, value: JSON.stringify(command) }],
    });
    throw new CompleteAsyncError();
  },
});
