import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { topicSpecs } from '@saga/contracts';
import { createKafka, createProducer, ensureTopics } from '@saga/kafka';
import { livePid, requireTool, run, spawnDetached, stopPid, withProgress } from './proc.ts';
import type { Server } from './server.ts';
import { Versions, type StackSettings } from './settings.ts';

export const HEALTH_TOPIC = '_stack.health';

/** Kafka 3.9.1, single-node KRaft, from Maven Central jars (the last line kafkajs 2.2.4 speaks). */
export const kafkaServer = (s: StackSettings): Server => {
  const home = join(s.cacheDir, `kafka-${Versions.kafka}`);
  const libs = join(home, 'libs');
  const dir = join(s.runDir, 'kafka');
  const data = join(dir, 'data');
  const logDir = join(dir, 'logs');
  const logFile = join(dir, 'kafka.log');
  const props = join(dir, 'server.properties');
  const { host, port } = s.kafka;
  const controllerPort = port + 1;
  const java = () => requireTool('java', 'apt-get install -y openjdk-17-jre-headless (Kafka needs Java 11+)');

  const writeConfig = () => {
    mkdirSync(logDir, { recursive: true });
    writeFileSync(
      props,
      [
        'process.roles=broker,controller',
        'node.id=1',
        `controller.quorum.voters=1@${host}:${controllerPort}`,
        `listeners=PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
        `advertised.listeners=PLAINTEXT://${host}:${port}`,
        'controller.listener.names=CONTROLLER',
        'inter.broker.listener.name=PLAINTEXT',
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        `log.dirs=${data}`,
        'offsets.topic.replication.factor=1',
        'offsets.topic.num.partitions=8',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'group.initial.rebalance.delay.ms=0',
        // Topics are created on purpose (stack `up`, tests): a typo must fail, not invent a topic.
        'auto.create.topics.enable=false',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'log4j.properties'),
      [
        'log4j.rootLogger=WARN, stdout',
        'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
        'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
        'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
        'log4j.logger.kafka.server.KafkaServer=INFO',
        'log4j.logger.kafka.server.KafkaRaftServer=INFO',
        '',
      ].join('\n'),
    );
  };

  return {
    name: 'kafka',
    endpoint: s.kafka,
    envVar: 'KAFKA_BROKERS',
    address: s.servers.KAFKA_BROKERS.join(','),
    extraPorts: [controllerPort],
    details: { controller: `${host}:${controllerPort}`, jars: libs, data },
    logFile,
    pid: () => livePid(join(dir, 'kafka.pid'), 'kafka.Kafka'),

    async install(say) {
      java();
      if (!existsSync(join(libs, '.complete'))) {
        const mvn = requireTool('mvn', 'apt-get install -y maven');
        mkdirSync(libs, { recursive: true });
        writeFileSync(join(home, 'pom.xml'), pom());
        say(`fetching Kafka ${Versions.kafka} jars from Maven Central into ${libs}`);
        await withProgress(
          'mvn dependency:copy-dependencies',
          run(mvn, [
            '-q',
            '-B',
            '-f',
            join(home, 'pom.xml'),
            'dependency:copy-dependencies',
            '-DincludeScope=runtime',
            `-DoutputDirectory=${libs}`,
          ]),
          say,
        );
        writeFileSync(join(libs, '.complete'), `${new Date().toISOString()}\n`);
      }
      if (!existsSync(join(data, 'meta.properties'))) {
        writeConfig();
        const id = (await run(java(), ['-cp', `${libs}/*`, 'kafka.tools.StorageTool', 'random-uuid']))
          .trim()
          .split('\n')
          .pop()!;
        say(`formatting KRaft storage (cluster ${id})`);
        await run(java(), ['-cp', `${libs}/*`, 'kafka.tools.StorageTool', 'format', '-t', id, '-c', props]);
      }
    },

    async start(say) {
      writeConfig();
      say(`starting on ${host}:${port} (controller ${controllerPort})`);
      spawnDetached(
        java(),
        [
          '-Xms512m',
          '-Xmx1g',
          `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`,
          `-Dkafka.logs.dir=${logDir}`,
          '-cp',
          `${libs}/*`,
          'kafka.Kafka',
          props,
        ],
        logFile,
        join(dir, 'kafka.pid'),
      );
    },

    async ready() {
      // Right after start the group and transaction coordinators are still loading: ready means a
      // topic created, an idempotent producer acknowledged and a consumer group joined.
      const kafka = createKafka({
        brokers: s.servers.KAFKA_BROKERS,
        clientId: 'stack-health',
        quiet: true,
        retries: 2,
      });
      const admin = kafka.admin();
      const producer = createProducer(kafka, 2);
      // A group of its own per probe: in a shared one, a member left by an earlier probe (one that
      // timed out, or ran before a restart) held the join until its session expired — 30 s more
      // on about half the Kafka restarts of the chaos soak.
      const consumer = kafka.consumer({ groupId: `stack-health-${randomUUID().slice(0, 8)}`, maxWaitTimeInMs: 100 });
      try {
        await admin.connect();
        await ensureTopics(admin, [
          ...topicSpecs(s.servers.KAFKA_TOPIC_PREFIX),
          { topic: HEALTH_TOPIC, partitions: 1 },
        ]);
        await producer.connect();
        await producer.send({ topic: HEALTH_TOPIC, messages: [{ value: new Date().toISOString() }] });
        await consumer.connect();
        await consumer.subscribe({ topic: HEALTH_TOPIC });
        const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
        await consumer.run({ eachMessage: async () => undefined });
        await joined;
      } finally {
        await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
      }
    },

    stop: (pid) => stopPid(pid, 'SIGTERM', 30_000),
  };
};

const pom = () => `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by the saga-workbench stack: only used to fetch the broker's jars. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.saga-workbench</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_${Versions.scala}</artifactId>
      <version>${Versions.kafka}</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-reload4j</artifactId>
      <version>${Versions.slf4jReload4j}</version>
    </dependency>
  </dependencies>
</project>
`;
