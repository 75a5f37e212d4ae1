import { DBOS } from '@dbos-inc/dbos-sdk';
import { scratchDatabase } from '@saga/testkit';
import { percentiles, round } from '../stats.ts';

export interface DbosFloor {
  /** Workflows measured (after 10 to warm up). */
  runs: number;
  p50: number;
  p99: number;
}

/**
 * DBOS's floor: a bare workflow of four no-op steps, one at a time, started and awaited in this
 * process on a scratch database of the stack's PostgreSQL — what a saga on DBOS cannot beat here
 * (every step's checkpoint, the workflow's status rows; no service, no Kafka).
 */
export const dbosFloor = async (runs: number, progress: (l: string) => void): Promise<DbosFloor> => {
  const db = await scratchDatabase('bench_dbos_floor');
  const noop = () => Promise.resolve(0);
  const workflow = DBOS.registerWorkflow(
    async () => {
      for (let i = 0; i < 4; i++) await DBOS.runStep(noop, { name: `step${i}` });
    },
    { name: 'floor' },
  );
  DBOS.setConfig({ name: 'bench-floor', systemDatabaseUrl: db.url, logLevel: 'error' });
  await DBOS.launch();
  try {
    const ms: number[] = [];
    for (let i = 0; i < runs + 10; i++) {
      const t0 = performance.now();
      await (await DBOS.startWorkflow(workflow)()).getResult();
      if (i >= 10) ms.push(performance.now() - t0); // the first 10 warm up
      if (i % 10 === 0) progress(`floor dbos: ${i}/${runs + 10}`);
    }
    const p = percentiles(ms);
    return { runs, p50: round(p.p50!), p99: round(p.p99!) };
  } finally {
    await DBOS.shutdown({ deregister: true });
    await db.drop();
  }
};
