import * as restate from '@restatedev/restate-sdk';
import { loadServerConfig } from '@saga/config';
import { registerDeployment, removeDeployment, serveEndpoint } from '@saga/orchestrator-restate';
import { uniqueName } from '@saga/testkit';
import { percentiles, round } from '../stats.ts';

export interface RestateFloor {
  /** Workflows measured (after 10 to warm up). */
  runs: number;
  p50: number;
  p99: number;
}

/**
 * Restate's floor: a bare workflow of four no-op `ctx.run` steps on the stack's Restate server,
 * served from an endpoint in this process, one at a time, each started and awaited through the
 * ingress — what a saga on Restate cannot beat here (its journal appends, the invocation's round
 * trips between server and endpoint; no service, no Kafka, no PostgreSQL).
 */
export const restateFloor = async (runs: number, progress: (l: string) => void): Promise<RestateFloor> => {
  const cfg = loadServerConfig();
  const name = uniqueName('floor');
  const noop = () => Promise.resolve(0);
  const workflow = restate.workflow({
    name,
    handlers: {
      run: async (ctx: restate.WorkflowContext) => {
        for (let i = 0; i < 4; i++) await ctx.run(`step${i}`, noop);
        return 0;
      },
    },
  });
  const endpoint = await serveEndpoint([workflow], 0, '127.0.0.1');
  const deployment = await registerDeployment(cfg.RESTATE_ADMIN_URL, `http://127.0.0.1:${endpoint.port}`);
  try {
    const ingress = cfg.RESTATE_INGRESS_URL.replace(/\/$/, '');
    const ms: number[] = [];
    for (let i = 0; i < runs + 10; i++) {
      const t0 = performance.now();
      // The workflow's run over the ingress, waiting for its result: one request.
      const res = await fetch(`${ingress}/${name}/run-${i}/run`, { method: 'POST' });
      if (!res.ok) throw new Error(`the floor workflow answered ${res.status}: ${await res.text()}`);
      if (i >= 10) ms.push(performance.now() - t0); // the first 10 warm up
      if (i % 10 === 0) progress(`floor restate: ${i}/${runs + 10}`);
    }
    const p = percentiles(ms);
    return { runs, p50: round(p.p50!), p99: round(p.p99!) };
  } finally {
    await removeDeployment(cfg.RESTATE_ADMIN_URL, deployment);
    await endpoint.close();
  }
};
