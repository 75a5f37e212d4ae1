import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import pRetry from 'p-retry';
import type { z } from 'zod';
import { deadLetterTopic, unstorableText } from '@saga/contracts';

export interface MessageMeta {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: IHeaders;
}

export interface ConsumerOptions<T> {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  /** Every message is validated against this before the handler sees it. */
  schema: z.ZodType<T>;
  handle: (message: T, meta: MessageMeta) => Promise<void>;
  /** Used to publish to the dead-letter topics. */
  producer: Producer;
  /** Handler attempts before the message is dead-lettered. */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt, with jitter. */
  retryDelayMs?: number;
  fromBeginning?: boolean;
  /** Partitions handled at once; order within a partition (i.e. per key) is kept unless `inParallel`. */
  concurrency?: number;
  /**
   * For handlers whose messages are independent of each other (each is idempotent and order does
   * not matter, e.g. replies matched by command id): up to this many messages of one partition are
   * handled at once — a fetched batch in chunks, each chunk's offset committed once all of it is
   * done. Without it a partition is one message at a time, and a handler that waits on a slow
   * remote call caps the partition at 1 ÷ that call's latency.
   */
  inParallel?: number;
  /**
   * Long-poll limit of a fetch. The broker answers as soon as one byte is there (minBytes 1), so
   * this bounds idle polling, not latency (measured: outbox hop p50 3.1 ms with 500 as with 20).
   */
  maxWaitTimeInMs?: number;
  onDeadLetter?: (reason: string, meta: MessageMeta) => void;
  /** A crash kafkajs would not recover from: a fresh consumer is being started (or could not be yet). */
  onRestart?: (err: Error) => void;
  /**
   * Errors that mean "not now" (a dependency down, an injected transient fault): retried without
   * counting against `maxAttempts`, so such a message is retried until it goes through and is
   * never dead-lettered; the delay starts at `retryDelayMs` and doubles up to 1 s.
   */
  isTransient?: (err: unknown) => boolean;
  /**
   * Offsets are committed in the background at this interval instead of after every batch
   * (kafkajs' default), which keeps an OffsetCommit round trip off every hop. A crash redelivers
   * at most this much: consumers are idempotent (inbox).
   */
  commitIntervalMs?: number;
}

export interface RunningConsumer {
  stop(): Promise<void>;
}

export const DLQ_REASON_HEADER = 'x-dlq-reason';
/** The longest wait between two attempts of a message that keeps failing transiently. */
const TRANSIENT_MAX_DELAY_MS = 1_000;

/**
 * Consumes `topics`, validating each message; a message that does not parse, or whose handler
 * failed `maxAttempts` times, goes to `<topic>.dlq` with the reason, and consumption goes on.
 * Resolves once the consumer has joined its group.
 */
export const startConsumer = async <T>(opts: ConsumerOptions<T>): Promise<RunningConsumer> => {
  const { kafka, producer, schema, handle, maxAttempts = 5, retryDelayMs = 50 } = opts;
  const newConsumer = () =>
    kafka.consumer({
      groupId: opts.groupId,
      maxWaitTimeInMs: opts.maxWaitTimeInMs ?? 500,
      minBytes: 1,
      // A member killed with -9 holds its partitions until its session expires: keep that short
      // (the broker's minimum is 6 s) so a restarted process takes over quickly.
      sessionTimeout: 6_000,
      heartbeatInterval: 500,
      retry: { initialRetryTime: 100, retries: 10 },
    });
  const deadLetter = async (reason: string, meta: MessageMeta, value: Buffer | null) => {
    opts.onDeadLetter?.(reason, meta);
    await producer.send({
      topic: deadLetterTopic(meta.topic),
      messages: [
        {
          key: meta.key,
          value,
          headers: {
            ...meta.headers,
            [DLQ_REASON_HEADER]: reason.slice(0, 2000),
            'x-dlq-source': `${meta.topic}/${meta.partition}/${meta.offset}`,
          },
        },
      ],
    });
  };

  // Next offset to commit per partition, flushed by a timer and on stop.
  const toCommit = new Map<string, { topic: string; partition: number; offset: string }>();
  const flush = async () => {
    if (toCommit.size === 0) return;
    const offsets = [...toCommit.values()];
    toCommit.clear();
    // After a rebalance the partition may be someone else's: its messages are redelivered there.
    await consumer.commitOffsets(offsets).catch(() => undefined);
  };

  let consumer: Consumer;
  let stopping = false;
  /**
   * A fresh consumer in the group. kafkajs restarts a consumer after a retriable crash but leaves
   * it stopped after any other (seen after a broker restart: the process alive, its group empty,
   * nothing consumed). We start a new one then, until it works again.
   */
  const begin = async (): Promise<void> => {
    consumer = newConsumer();
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || stopping) return;
      opts.onRestart?.(payload.error);
      void (async () => {
        for (let attempt = 1; !stopping; attempt++) {
          await sleep(Math.min(5_000, 250 * attempt));
          if (stopping) return;
          try {
            return await begin();
          } catch (err) {
            opts.onRestart?.(err as Error);
          }
        }
      })();
    });
    await consumer.connect();
    await consumer.subscribe({ topics: opts.topics, fromBeginning: opts.fromBeginning ?? false });
    const handled = (topic: string, partition: number, message: KafkaMessage) =>
      toCommit.set(`${topic}/${partition}`, { topic, partition, offset: (BigInt(message.offset) + 1n).toString() });
    const width = opts.inParallel ?? 1;
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: opts.concurrency ?? 4,
      ...(width > 1
        ? {
            eachBatchAutoResolve: false,
            eachBatch: async (p) => {
              const { batch } = p;
              for (let i = 0; i < batch.messages.length && p.isRunning() && !p.isStale(); i += width) {
                const chunk = batch.messages.slice(i, i + width);
                // A throw (a dead letter that could not be sent) refetches from the last resolved offset.
                await Promise.all(chunk.map((m) => handleOne(batch.topic, batch.partition, m)));
                const last = chunk.at(-1)!;
                p.resolveOffset(last.offset);
                handled(batch.topic, batch.partition, last);
                await p.heartbeat();
              }
            },
          }
        : {
            eachMessage: async ({ topic, partition, message }) => {
              await handleOne(topic, partition, message);
              handled(topic, partition, message);
            },
          }),
    });
    await joined;
  };
  await begin();
  const timer = setInterval(() => void flush(), opts.commitIntervalMs ?? 500);
  return {
    stop: async () => {
      stopping = true;
      clearInterval(timer);
      await flush();
      await consumer.disconnect();
    },
  };

  async function handleOne(topic: string, partition: number, message: KafkaMessage) {
    const meta: MessageMeta = {
      topic,
      partition,
      offset: message.offset,
      key: message.key?.toString() ?? null,
      headers: message.headers ?? {},
    };
    const parsed = parseMessage(message.value, schema);
    if (!parsed.ok) return deadLetter(parsed.reason, meta, message.value);
    const transient = (err: unknown) => opts.isTransient?.(err) ?? false;
    for (let n = 0; ; n++) {
      try {
        await pRetry(() => handle(parsed.value, meta), {
          retries: maxAttempts - 1,
          minTimeout: retryDelayMs,
          factor: 2,
          randomize: true,
          // A transient error leaves the retry budget alone: it is retried below, not dead-lettered.
          shouldRetry: ({ error }) => !transient(error),
        });
        return;
      } catch (err) {
        if (!transient(err))
          return deadLetter(`handler failed ${maxAttempts} times: ${errorText(err)}`, meta, message.value);
        // Stopping: leave the message uncommitted for whoever consumes the partition next.
        if (stopping) throw err;
        // With a delay: p-retry retries an attempt that consumes no retry at once, and a handler
        // that fails without IO (an injected fault) then spun the event loop (215,273 attempts a second).
        await sleep(Math.min(retryDelayMs * 2 ** Math.min(n, 10), TRANSIENT_MAX_DELAY_MS));
      }
    }
  }
};

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** JSON-decodes and validates a message value; says what was wrong when it cannot. */
export const parseMessage = <T>(value: Buffer | null, schema: z.ZodType<T>): Parsed<T> => {
  if (value === null) return { ok: false, reason: 'empty message (null value)' };
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: `invalid JSON: ${errorText(err)}` };
  }
  // Straight to the dead-letter topic: retrying cannot make such text storable.
  const text = unstorableText(json);
  if (text.length > 0)
    return { ok: false, reason: `unstorable text: ${text.map((t) => `${t.path}: ${t.message}`).join('; ')}` };
  const result = schema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    return { ok: false, reason: `schema violation: ${issues.join('; ')}` };
  }
  return { ok: true, value: result.data };
};

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
