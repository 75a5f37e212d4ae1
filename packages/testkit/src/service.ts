import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { topicSpecs, type Command, type CommandType, type Reply } from '@saga/contracts';
import { ensureTopics } from '@saga/kafka';
import { dropDatabase } from '@saga/postgres';
import { startService, type RunningService, type ServiceOptions, type ServiceSpec } from '@saga/service';
import { servers, uniqueName } from './index.ts';

export const TEST_ADMIN_TOKEN = 'test-admin-token';

/** Creates every saga topic under a fresh prefix, so a test has its own, empty topics. */
export const isolatedTopics = async (kafka: Kafka): Promise<string> => {
  const prefix = `${uniqueName('t')}.`;
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, topicSpecs(prefix, 2));
  await admin.disconnect();
  return prefix;
};

export interface TestService extends RunningService {
  database: string;
  prefix: string;
  /** Stops the service and drops its database. */
  close(): Promise<void>;
}

/** Starts a real service in-process on a scratch database, its own topics, a free port. */
export const startTestService = async <T extends CommandType>(
  spec: ServiceSpec<T>,
  kafka: Kafka,
  prefix?: string,
  reuse: { database?: string; port?: number } = {},
  /** ORCHESTRATOR=choreography: the service's reactions run, with these budgets and registry (ADR 0018). */
  mode: Partial<Pick<ServiceOptions, 'choreography' | 'timing' | 'registryDatabase'>> = {},
): Promise<TestService> => {
  const database = reuse.database ?? uniqueName(`t_${spec.name}`);
  const topicPrefix = prefix ?? (await isolatedTopics(kafka));
  const svc = await startService(spec, {
    host: '127.0.0.1',
    port: reuse.port ?? 0,
    postgresUrl: servers.POSTGRES_URL,
    database,
    brokers: servers.KAFKA_BROKERS,
    topicPrefix,
    adminToken: TEST_ADMIN_TOKEN,
    concurrency: 8,
    logLevel: 'silent',
    choreography: mode.choreography ?? false,
    timing: mode.timing ?? { stepTimeoutMs: 1_000, stepAttempts: 4, compensationAttempts: 4, deadlineMs: 30_000 },
    registryDatabase: mode.registryDatabase ?? 'saga_registry',
  });
  return {
    ...svc,
    database,
    prefix: topicPrefix,
    close: async () => {
      await svc.stop();
      await dropDatabase(servers.POSTGRES_URL, database);
    },
  };
};

/** A command envelope with a fresh command id. */
export const command = <C extends Command>(
  type: C['type'],
  sagaId: string,
  payload: C['payload'],
  messageId: string = randomUUID(),
) => ({ messageId, sagaId, occurredAt: new Date().toISOString(), type, payload }) as C;

/** Sends a command over HTTP the way a coordinator does; returns status and body. */
export const postCommand = async (baseUrl: string, cmd: Command) => {
  const { type, ...body } = cmd;
  const res = await fetch(`${baseUrl}/commands/${type}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Reply & { error?: string } };
};
