import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import { databaseUrl, temporalConnection } from '@saga/config';
import { createKafka, createProducer } from '@saga/kafka';
import { HEALTH_TOPIC } from './kafka.ts';
import { DATABASES, loadStackSettings } from './settings.ts';
import { errText } from './stack.ts';

/**
 * The visible proof that the stack serves: one query per service database, a Kafka round trip
 * through a consumer group, the Temporal namespace and server version, the Restate server's version,
 * the Temporal UI server of the server on PostgreSQL, and where their web UIs are.
 */
const main = async () => {
  const s = loadStackSettings();
  const line = (what: string, result: string) => console.log(`${what.padEnd(14)} ${result}`);
  console.log('\nSmoke check (until the saga exists, this proves the servers answer):\n');

  for (const db of DATABASES) {
    const client = new pg.Client({ connectionString: databaseUrl(s.servers.POSTGRES_URL, db) });
    await client.connect();
    const t0 = performance.now();
    const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    line('postgres', `${db}: PostgreSQL ${rows[0]!.v}, query ${(performance.now() - t0).toFixed(1)} ms`);
    await client.end();
  }

  const kafka = createKafka({ brokers: s.servers.KAFKA_BROKERS, clientId: 'smoke', quiet: true });
  const producer = createProducer(kafka);
  const consumer = kafka.consumer({ groupId: `smoke-${randomUUID()}`, maxWaitTimeInMs: 20 });
  await producer.connect();
  await consumer.connect();
  // From the beginning: a new group starting at "latest" may resolve that offset after our send.
  await consumer.subscribe({ topic: HEALTH_TOPIC, fromBeginning: true });
  const marker = randomUUID();
  let sentAt = 0;
  const received = new Promise<number>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value?.toString() === marker) resolve(performance.now() - sentAt);
      },
    });
  });
  await new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  sentAt = performance.now();
  await producer.send({ topic: HEALTH_TOPIC, messages: [{ key: marker, value: marker }] });
  const ms = await received;
  line('kafka', `${s.servers.KAFKA_BROKERS.join(',')}: produced and consumed in ${ms.toFixed(1)} ms`);
  await consumer.disconnect();
  await producer.disconnect();

  const connection = await Connection.connect(temporalConnection(s.servers));
  const info = await connection.workflowService.getSystemInfo({});
  const ns = await connection.workflowService.describeNamespace({ namespace: s.servers.TEMPORAL_NAMESPACE });
  line('temporal', `${s.servers.TEMPORAL_ADDRESS}: server ${info.serverVersion}, namespace ${ns.namespaceInfo?.name}`);
  await connection.close();

  const admin = s.servers.RESTATE_ADMIN_URL.replace(/\/$/, '');
  const version = await fetch(`${admin}/version`, { signal: AbortSignal.timeout(5_000) });
  if (!version.ok) throw new Error(`Restate admin at ${admin} answered ${version.status}`);
  const { version: restateVersion } = (await version.json()) as { version?: string };
  line('restate', `${s.servers.RESTATE_INGRESS_URL}: server ${restateVersion ?? '?'}, admin ${admin}`);

  const pgUi = s.servers.TEMPORAL_PG_UI_URL.replace(/\/$/, '');
  const uiSettings = await fetch(`${pgUi}/api/v1/settings`, { signal: AbortSignal.timeout(5_000) });
  if (!uiSettings.ok) throw new Error(`the Temporal UI server at ${pgUi} answered ${uiSettings.status}`);
  const { Version: uiVersion } = (await uiSettings.json()) as { Version?: string };
  line('temporal-pg-ui', `${pgUi}: Temporal UI ${uiVersion ?? '?'} over ${s.servers.TEMPORAL_PG_ADDRESS}`);

  const workflows = `namespaces/${s.servers.TEMPORAL_NAMESPACE}/workflows`;
  console.log(`\nTemporal Web UI: ${s.servers.TEMPORAL_UI_URL}/${workflows}`);
  console.log(`  for temporal-pg-* modes (the server on PostgreSQL): ${pgUi}/${workflows}`);
  console.log(`Restate UI:      ${admin}/ui`);
  console.log('Stack status:    npm run stack -- status    (stop it: ./workbench stop)\n');
};

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`smoke: ${errText(err)}`);
    process.exit(1);
  },
);
