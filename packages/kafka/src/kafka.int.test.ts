import { afterAll, describe, expect, it } from 'vitest';
import { SAGA_PARTITIONS, Topics, deadLetterTopic } from '@saga/contracts';
import { collect, createProducer, createTestTopic, testKafka, waitFor } from '@saga/testkit';

const kafka = testKafka('kafka-test');
const admin = kafka.admin();
afterAll(() => admin.disconnect());

describe('Kafka 3.9.1 with kafkajs 2.2.4', () => {
  it('produces with the idempotent producer and consumes through a consumer group, in order per key', async () => {
    const topic = await createTestTopic(kafka, 'roundtrip', 4);
    const sink = await collect(kafka, [topic]);
    const producer = createProducer(kafka);
    await producer.connect();
    for (let i = 0; i < 50; i++) {
      await producer.send({ topic, messages: [{ key: `k${i % 5}`, value: String(i) }] });
    }
    await waitFor('50 messages', () => sink.messages.length === 50);
    for (let k = 0; k < 5; k++) {
      const values = sink.messages.filter((m) => m.key === `k${k}`).map((m) => Number(m.value));
      expect(values).toEqual([...values].sort((a, b) => a - b));
      expect(values).toHaveLength(10);
    }
    await producer.disconnect();
    await sink.stop();
  });

  it('has every saga topic with at least 8 partitions and a dead-letter topic (created by `stack up`)', async () => {
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: Object.values(Topics) });
    for (const t of meta.topics) expect(t.partitions.length, t.name).toBeGreaterThanOrEqual(SAGA_PARTITIONS);
    const all = await admin.listTopics();
    for (const t of Object.values(Topics)) expect(all).toContain(deadLetterTopic(t));
  });
});
