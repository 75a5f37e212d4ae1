import { CompleteAsyncError, Context } from '@temporalio/activity';
import type { Producer } from 'kafkajs';
import { commandTopic, type Command } from '@saga/contracts';
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

const envelope = (req: CommandRequest): Command =>
  ({ messageId: req.commandId, sagaId: req.sagaId, occurredAt: new Date().toISOString(), type: req.type, payload: req.payload }) as Command;

/**
 * The saga's one activity: send a command to its service and return the reply. A technical
 * failure throws (Temporal retries it with the same command id); a refusal is a FAILURE value.
 * Over Kafka the activity completes asynchronously, when the reply arrives (`completeFromReply`).
 */
export const createActivities = (deps: ActivityDeps): SagaActivities => ({
  async sendCommand(req: CommandRequest): Promise<CommandResult> {
    const command = envelope(req);
    if (deps.transport === 'http') {
      const { type, ...body } = command;
      const res = await fetch(`${deps.urlFor(type)}/commands/${type}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status !== 200) throw new Error(`${type}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
      const reply = (await res.json()) as { payload: CommandResult };
      return { outcome: reply.payload.outcome, ...(reply.payload.reason ? { reason: reply.payload.reason } : {}) };
    }
    const { taskToken } = Context.current().info;
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
    await deps.producer!.send({ topic: deps.topic!(commandTopic(req.type)), messages: [{ key: req.sagaId, value: JSON.stringify(command) }] });
    throw new CompleteAsyncError();
  },
});
