import type { Kafka } from 'kafkajs';

/**
 * Commits `groupId`'s offsets at the end of every partition of `topics`, so the group reads only
 * what is produced from now on. The group must have no running member.
 *
 * kafkajs's `admin.setOffsets` does this for one topic per call, and each call waits out its
 * paused consumer's 5 s fetch wait (`maxWaitTimeInMs`, not settable there): 20 s for the two
 * groups × two topics of a coordinator, before every mode in every benchmark suite. This is the
 * same mechanism (join, seek — committed at once under auto-commit —, leave) with one join for
 * all the topics and a 50 ms fetch wait.
 */
export const moveGroupToEnd = async (kafka: Kafka, groupId: string, topics: string[]): Promise<void> => {
  const admin = kafka.admin();
  await admin.connect();
  let ends: { topic: string; partition: number; offset: string }[];
  try {
    const state = (await admin.describeGroups([groupId])).groups[0]?.state;
    if (state && state !== 'Empty' && state !== 'Dead') {
      throw new Error(
        `consumer group ${groupId} has running members (state ${state}): stop them before moving its offsets`,
      );
    }
    ends = (
      await Promise.all(
        topics.map(async (topic) =>
          (await admin.fetchTopicOffsets(topic)).map((o) => ({ topic, partition: o.partition, offset: o.high })),
        ),
      )
    ).flat();
  } finally {
    await admin.disconnect();
  }
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 50, retry: { retries: 3 } });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics });
    await new Promise<void>((resolve, reject) => {
      // The first fetch comes after the seeks were committed; nothing is consumed (all paused).
      consumer.on(consumer.events.FETCH, () => resolve());
      consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
      consumer.run({ eachBatchAutoResolve: false, eachBatch: async () => undefined }).catch(reject);
      consumer.pause(topics.map((topic) => ({ topic })));
      for (const end of ends) consumer.seek(end);
    });
  } finally {
    await consumer.disconnect();
  }
};
