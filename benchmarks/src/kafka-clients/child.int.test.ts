import { describe, expect, it } from 'vitest';
import { createTestTopic, servers, testKafka } from '@saga/testkit';
import { CLIENTS, runClient } from './child.ts';

describe('the Kafka client benchmark', () => {
  it.each(CLIENTS)(
    '%s: every message sent is consumed once, with its CPU and latency measured',
    async (client) => {
      const topic = await createTestTopic(testKafka('kclients-test'), `kclients-${client}`, 8);
      const r = await runClient(client, {
        brokers: servers.KAFKA_BROKERS,
        topic,
        rate: 50,
        seconds: 2,
        idleSeconds: 0.5,
        brokerPid: undefined,
      });
      expect(r).toMatchObject({ client, sent: 100, received: 100 });
      expect(r.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(r.clientCpuMsPer1000).toBeGreaterThan(0);
      expect(r.hopMs.p50).toBeGreaterThan(0);
      expect(r.hopMs.max).toBeGreaterThanOrEqual(r.hopMs.p99);
    },
    120_000,
  );
});
