import { afterAll, describe, expect, it } from 'vitest';
import { createProducer, createTestTopic, testKafka, uniqueName, waitFor } from '@saga/testkit';
import { moveGroupToEnd } from './offsets.ts';

const kafka = testKafka('offsets-test');
const producer = createProducer(kafka);
afterAll(() => producer.disconnect());

describe('moveGroupToEnd', () => {
  it('commits the end of every partition of every topic: the group then reads only what comes after', async () => {
    const topics = [await createTestTopic(kafka, 'move-a', 4), await createTestTopic(kafka, 'move-b', 4)];
    await producer.connect();
    for (const topic of topics)
      await producer.send({ topic, messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: 'old' })) });
    const groupId = uniqueName('moved');
    await moveGroupToEnd(kafka, groupId, topics);

    const admin = kafka.admin();
    await admin.connect();
    for (const topic of topics) {
      const committed = (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions
        .map((p) => [p.partition, p.offset])
        .sort();
      const ends = (await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high]).sort();
      expect(committed).toEqual(ends);
    }
    await admin.disconnect();

    for (const topic of topics) await producer.send({ topic, messages: [{ key: 'k1', value: 'new' }] });
    const seen: string[] = [];
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 20 });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
    await waitFor('the two new messages', () => seen.length >= 2);
    // A sentinel on every partition of both topics: an old message redelivered would arrive before its partition's.
    for (const topic of topics)
      await producer.send({ topic, messages: [0, 1, 2, 3].map((partition) => ({ partition, value: 'sentinel' })) });
    await waitFor('the eight sentinels', () => seen.filter((v) => v === 'sentinel').length === 8);
    await consumer.disconnect();
    expect(seen.filter((v) => v !== 'sentinel')).toEqual(['new', 'new']);
  });

  it('refuses a group with a running member, naming it', async () => {
    const topic = await createTestTopic(kafka, 'move-live', 1);
    const groupId = uniqueName('live');
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 20 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic] });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({ eachMessage: async () => undefined });
    await joined;
    await expect(moveGroupToEnd(kafka, groupId, [topic])).rejects.toThrow(
      `consumer group ${groupId} has running members`,
    );
    await consumer.disconnect();
  });
});
