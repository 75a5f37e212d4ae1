import { Kafka, Partitioners, logLevel, type Admin, type Producer } from 'kafkajs';
import type { TopicSpec } from '@saga/contracts';

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  /** kafkajs logs a lot while a broker is starting; probes turn it off. */
  quiet?: boolean;
  /** Connection retries before a call fails (kafkajs backs off exponentially from 100 ms). */
  retries?: number;
}

export const createKafka = ({ brokers, clientId, quiet = false, retries = 8 }: KafkaOptions): Kafka =>
  new Kafka({
    brokers,
    clientId,
    logLevel: quiet ? logLevel.NOTHING : logLevel.WARN,
    retry: { initialRetryTime: 100, retries },
  });

/**
 * An idempotent producer (acks=all, one request in flight) so a retried send neither
 * duplicates nor reorders messages of one partition. The partitioner is named explicitly:
 * the default one keeps every message of a key on one partition.
 */
export const createProducer = (kafka: Kafka, retries = Number.MAX_SAFE_INTEGER): Producer =>
  kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    // An idempotent producer keeps retrying (kafkajs warns that a limit may break its guarantees;
    // only probes pass a limit); the backoff is capped so a returning broker is noticed quickly.
    retry: { retries, initialRetryTime: 100, maxRetryTime: 1_000 },
    createPartitioner: Partitioners.DefaultPartitioner,
  });

/** Creates the topics that do not exist yet; existing ones are left as they are. */
export const ensureTopics = async (admin: Admin, specs: TopicSpec[]): Promise<string[]> => {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((s) => ({ topic: s.topic, numPartitions: s.partitions, replicationFactor: 1 })),
    });
  }
  return missing.map((s) => s.topic);
};
