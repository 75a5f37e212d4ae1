import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { percentiles, round } from '../stats.ts';
import type { FloorVariant } from './variants.ts';

/** The floor workflows, bundled once (webpack) and shared by every worker of a run; webpack's module listing only on a warning. */
export const floorBundle = () =>
  bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./floor-workflows.ts', import.meta.url)),
    logger: new DefaultLogger('WARN'),
  });

const { EventType } = proto.temporal.api.enums.v1;
type EventTypeValue = proto.temporal.api.enums.v1.EventType;
const ms = (t: proto.google.protobuf.ITimestamp | null | undefined) =>
  Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;

/** Scheduled → started (waiting for a poller) and started → completed (running), per task, from the history. */
export const dispatchTimes = async (client: Client, workflowId: string) => {
  const { events } = await client.workflow.getHandle(workflowId).fetchHistory();
  const pairs: [EventTypeValue, EventTypeValue, EventTypeValue][] = [
    [
      EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
      EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
      EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    ],
    [
      EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
      EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED,
      EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
    ],
  ];
  const dispatch: number[] = [];
  const run: number[] = [];
  let tasks = 0;
  for (const [sched, start, done] of pairs) {
    const at = (type: EventTypeValue) => (events ?? []).filter((e) => e.eventType === type).map((e) => ms(e.eventTime));
    const [s, st, d] = [at(sched), at(start), at(done)];
    tasks += s.length;
    st.forEach((t, i) => dispatch.push(t - s[i]!));
    d.forEach((t, i) => run.push(t - st[i]!));
  }
  return { tasks, dispatch, run, wall: ms(events?.at(-1)?.eventTime) - ms(events?.[0]?.eventTime) };
};

export interface FloorCounts {
  sequential: number;
  concurrent: number;
  inFlight: number;
}

/** One variant on one server: one-at-a-time latency, throughput with `inFlight` in flight, dispatch vs run from the histories. */
export const measureFloor = async (
  v: FloorVariant,
  address: string,
  workflowBundle: { code: string },
  opts: FloorCounts,
  progress: (l: string) => void = () => undefined,
) => {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const nativeConnection = await NativeConnection.connect({ address });
  const taskQueue = `floor-${v.name}-${Date.now()}`;
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowBundle,
    activities: { noop: async (step: number) => step },
    ...v.worker,
  } satisfies WorkerOptions);
  const running = worker.run();
  let n = 0;
  const one = async () => {
    const id = `${taskQueue}-${n++}`;
    const t0 = performance.now();
    await client.workflow.execute(v.workflow, { taskQueue, workflowId: id });
    return { id, ms: performance.now() - t0 };
  };
  try {
    for (let i = 0; i < 10; i++) await one(); // warm-up: JIT, sticky cache, connections
    const seq: { id: string; ms: number }[] = [];
    for (let i = 0; i < opts.sequential; i++) {
      seq.push(await one());
      if (i % 10 === 0) progress(`${v.name}: one at a time ${i}/${opts.sequential}`);
    }
    const lat = percentiles(seq.map((s) => s.ms));
    const hist = await Promise.all(seq.slice(-20).map((s) => dispatchTimes(client, s.id)));
    const dispatch = percentiles(hist.flatMap((h) => h.dispatch));
    const run = percentiles(hist.flatMap((h) => h.run));
    let done = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: opts.inFlight }, async () => {
        while (done + opts.inFlight <= opts.concurrent + opts.inFlight - 1 && done < opts.concurrent) {
          done++;
          await one();
          if (done % 32 === 0) progress(`${v.name}: ${opts.inFlight} in flight ${done}/${opts.concurrent}`);
        }
      }),
    );
    const throughput = opts.concurrent > 0 ? opts.concurrent / ((performance.now() - t0) / 1000) : NaN;
    const r = {
      variant: v.name,
      what: v.what,
      server: v.server ?? [],
      worker: v.worker ?? {},
      workflow: v.workflow,
      p50: round(lat.p50!),
      p99: round(lat.p99!),
      throughput: round(throughput),
      tasksPerWorkflow: hist[0]?.tasks ?? 0,
      dispatchP50: round(dispatch.p50!),
      runP50: round(run.p50!),
    };
    return r;
  } finally {
    worker.shutdown();
    await running;
    await nativeConnection.close();
    await connection.close();
  }
};
