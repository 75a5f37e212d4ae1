import { commandEnvelope, commandTopic } from '@saga/contracts';
import { toOutbox, type OutboxMessage } from '@saga/outbox';
import type { OutgoingCommand } from './engine.ts';

/** Kafka transport: commands leave through the orchestrator's outbox, written with the transition. */
export const kafkaOutbox =
  (topic: (t: string) => string) =>
  (commands: OutgoingCommand[], now: Date): OutboxMessage[] =>
    commands.map((c) => toOutbox(topic(commandTopic(c.type)), commandEnvelope(c, now)));
