import { createKafka } from '@saga/kafka';
import { servers } from '@saga/testkit';

/** Topic names the tests and the harness give their own topics (`uniqueName`). */
export const SCRATCH_TOPIC = /^(t[._]|bench_).*[0-9a-f]{12}/;

/**
 * Vitest global setup of the int project: notes the broker's topics before the tests, and at the
 * end deletes the scratch topics the run created. Left behind, every partition slows each later
 * broker start (4,600 partitions made a Kafka restart take 50 s instead of 8 s in the chaos soak).
 */
export default async function setup() {
  const kafka = createKafka({ brokers: servers.KAFKA_BROKERS, clientId: 'test-topics', quiet: true, retries: 2 });
  const admin = kafka.admin();
  const before = await admin
    .connect()
    .then(async () => new Set(await admin.listTopics()))
    .catch(() => undefined);
  return async () => {
    if (!before) return;
    try {
      const created = (await admin.listTopics()).filter((t) => !before.has(t) && SCRATCH_TOPIC.test(t));
      for (let i = 0; i < created.length; i += 200)
        await admin.deleteTopics({ topics: created.slice(i, i + 200), timeout: 60_000 });
      if (created.length) console.log(`deleted the ${created.length} scratch topics the tests created`);
    } catch (err) {
      console.warn(`could not delete the tests' scratch topics: ${String(err)}`);
    } finally {
      await admin.disconnect();
    }
  };
}
