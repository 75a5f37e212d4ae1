import { commandTopic, type Command } from '@saga/contracts';
import { appendToOutbox, toOutbox } from '@saga/outbox';
import type { Queryable } from '@saga/postgres';
import type { OutgoingCommand } from './engine.ts';

export const toEnvelope = (c: OutgoingCommand, now: Date): Command =>
  ({ messageId: c.commandId, sagaId: c.sagaId, occurredAt: now.toISOString(), type: c.type, payload: c.payload }) as Command;

/** Kafka transport: commands leave through the orchestrator's outbox, in the transition's transaction. */
export const kafkaSend = (topic: (t: string) => string) => (tx: Queryable, commands: OutgoingCommand[], now: Date) =>
  appendToOutbox(tx, commands.map((c) => toOutbox(topic(commandTopic(c.type)), toEnvelope(c, now))));

export type HttpResult =
  | { kind: 'reply'; replyId: string; outcome: 'SUCCESS' | 'FAILURE'; reason?: string }
  | { kind: 'failed'; error: string };

/** HTTP transport: one POST /commands/<Type>; the reply is the response. Never throws. */
export const httpSend = async (baseUrl: string, command: Command, timeoutMs: number): Promise<HttpResult> => {
  const { type, ...body } = command;
  try {
    const res = await fetch(`${baseUrl}/commands/${type}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.status !== 200) return { kind: 'failed', error: `HTTP ${res.status} ${(await res.text()).slice(0, 200)}` };
    const reply = (await res.json()) as { messageId: string; payload: { outcome: 'SUCCESS' | 'FAILURE'; reason?: string } };
    return { kind: 'reply', replyId: reply.messageId, outcome: reply.payload.outcome, ...(reply.payload.reason ? { reason: reply.payload.reason } : {}) };
  } catch (err) {
    return { kind: 'failed', error: err instanceof Error ? err.message : String(err) };
  }
};
