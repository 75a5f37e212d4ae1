/**
 * A stand-alone outbox relay process (services run the same relay in-process). Used by the
 * kill -9 test and handy for draining a database's outbox by hand:
 *   OUTBOX_DATABASE_URL=postgres://postgres@127.0.0.1:5432/orders npx tsx packages/outbox/src/relay-main.ts
 */
import { loadConfig, serverSettings, setting } from '@saga/config';
import { createKafka, createProducer } from '@saga/kafka';
import { createLogger } from '@saga/http';
import { startRelay } from './relay.ts';

const cfg = loadConfig({
  KAFKA_BROKERS: serverSettings.KAFKA_BROKERS,
  OUTBOX_DATABASE_URL: setting.postgresUrl('postgres://postgres@127.0.0.1:5432/orders'),
  RELAY_BATCH_SIZE: setting.int(500, 1, 10_000),
  RELAY_POLL_MS: setting.int(500, 10, 60_000),
});
const log = createLogger('outbox-relay');
const producer = createProducer(createKafka({ brokers: cfg.KAFKA_BROKERS, clientId: 'outbox-relay' }));
await producer.connect();
const relay = startRelay({
  databaseUrl: cfg.OUTBOX_DATABASE_URL,
  producer,
  batchSize: cfg.RELAY_BATCH_SIZE,
  pollIntervalMs: cfg.RELAY_POLL_MS,
  log,
});
log.info({ database: cfg.OUTBOX_DATABASE_URL }, 'relay started');

const shutdown = async () => {
  await relay.stop();
  await producer.disconnect();
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
