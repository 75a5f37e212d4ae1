import { join } from 'node:path';
import { round } from '../stats.ts';
import { openLoopStep } from './driver.ts';
import { monotonicUs, readProfiles, summarise, type ProfileSummary } from './profile.ts';
import { idle, placeHappy, withCoordinator, type SuiteContext } from './suites.ts';
import { cpuMsOf, postgresRoles, startMeter } from './usage.ts';

export interface ProfileResult {
  mode: string;
  rate: number;
  sagas: number;
  seconds: number;
  /** CPU ms per saga of each part (the /proc meter: every process and thread, native code too). */
  cpuMsPerSaga: Record<string, number>;
  /**
   * PostgreSQL's part split by process: the backends of each database (the clients of that
   * service, coordinator or Temporal server), the WAL writer, checkpointer, autovacuum …, and
   * what exited between two samples (short-lived workers and connections).
   */
  postgresMsPerSaga?: { role: string; ms: number }[];
  /**
   * Each process of ours: its CPU per saga in the window (/proc, all threads), and from its V8
   * profile where its JavaScript time went — shares of the JS samples by place and the top
   * functions. V8 samples wall time on the thread (descheduled time included) and counts the
   * event loop's waiting as `(program)`, so the profile gives the distribution, /proc the amount.
   */
  processes: {
    name: string;
    pid: number;
    cpuMsPerSaga: number | null;
    byPlace: { place: string; share: number }[];
    top: (ProfileSummary['top'][number] & { share: number })[];
  }[];
  /** Where the raw `.cpuprofile` files are (not committed: open them in Chrome DevTools). */
  dir: string;
}

/**
 * The profile suite, per mode: the services restarted with `--cpu-prof`, the coordinator started
 * with it, `count` happy sagas at `rate` after the warm-up, then everything stopped cleanly so
 * every process writes its profile. Only the samples between the first order and the last saga's
 * end count (start-up and warm-up are left out). CPU per saga per part comes from the meter;
 * per process, the V8 profile says where that time went: our code, each package, Node's modules,
 * garbage collection, native.
 */
export const profileSuite = async (
  ctx: SuiteContext,
  o: { rate: number; count: number; dir: string },
): Promise<ProfileResult[]> => {
  const out: ProfileResult[] = [];
  for (const mode of ctx.modes) {
    const dir = join(o.dir, mode.name);
    ctx.wb.setChildEnv({ CHILD_NODE_ARGS: `--cpu-prof --cpu-prof-dir=${dir}` });
    try {
      ctx.progress(`profile ${mode.name}: restarting the services with --cpu-prof`);
      await ctx.wb.restartServicesCleanly();
      const r = await withCoordinator(ctx, mode, async () => {
        const pids = ctx.wb.ourPids();
        const cpuAtStart = cpuMsOf(pids.keys());
        const from = monotonicUs();
        const meter = startMeter(ctx.wb.processGroups, 250, postgresRoles);
        const step = await openLoopStep({
          rate: o.rate,
          count: o.count,
          send: (i) => placeHappy(ctx, i),
          terminalAt: (id) => ctx.wb.terminalAt.get(id),
          progress: (l) => ctx.progress(`profile ${mode.name} @ ${o.rate}/s: ${l}`),
        });
        await idle(ctx.wb);
        const cpuMs = new Map(
          [...cpuMsOf(pids.keys())].flatMap(([pid, ms]) =>
            cpuAtStart.has(pid) ? [[pid, ms - cpuAtStart.get(pid)!] as const] : [],
          ),
        );
        const usage = meter.stop();
        return {
          step,
          usage,
          postgres: meter.byLabel('postgres'),
          pids,
          cpuMs,
          window: [from, monotonicUs()] as [number, number],
        };
      });
      // The coordinator stopped cleanly at the end of its slice; the services write theirs now.
      ctx.wb.setChildEnv({});
      await ctx.wb.restartServicesCleanly();
      const sagas = r.step.count - r.step.errors;
      const perSaga = (ms: number) => (sagas > 0 ? round(ms / sagas) : 0);
      const profiles = readProfiles(dir).filter((p) => r.pids.has(p.pid));
      const mainThread = new Map<number, number>();
      for (const p of profiles) mainThread.set(p.pid, Math.min(mainThread.get(p.pid) ?? Infinity, p.thread));
      const processes = profiles
        .map((p) => {
          const s = summarise(p.profile, r.window);
          const js = s.byPlace.filter((x) => x.place !== 'native').reduce((n, x) => n + x.ms, 0);
          const share = (ms: number) => (js > 0 ? round((100 * ms) / js) : 0);
          const name = r.pids.get(p.pid)!;
          const main = mainThread.get(p.pid) === p.thread;
          const cpu = r.cpuMs.get(p.pid);
          return {
            name: main ? name : `${name} (thread ${p.thread})`,
            pid: p.pid,
            // /proc counts the whole process: once, on its main thread's row.
            cpuMsPerSaga: main && cpu !== undefined ? perSaga(cpu) : null,
            byPlace: s.byPlace.filter((x) => x.place !== 'native').map((x) => ({ place: x.place, share: share(x.ms) })),
            top: s.top.filter((f) => f.place !== 'native').map((f) => ({ ...f, share: share(f.ms) })),
          };
        })
        .sort((a, b) => (b.cpuMsPerSaga ?? 0) - (a.cpuMsPerSaga ?? 0));
      const res: ProfileResult = {
        mode: mode.name,
        rate: o.rate,
        sagas,
        seconds: round((r.window[1] - r.window[0]) / 1e6),
        cpuMsPerSaga: Object.fromEntries(
          Object.entries(r.usage).map(([part, u]) => [part, perSaga(u.cpuSeconds * 1000)]),
        ),
        postgresMsPerSaga: r.postgres
          .map((x) => ({ role: x.label, ms: perSaga(x.cpuSeconds * 1000) }))
          .filter((x) => x.ms > 0),
        processes,
        dir,
      };
      const total = round(Object.values(res.cpuMsPerSaga).reduce((a, b) => a + b, 0));
      ctx.say(
        `profile ${mode.name.padEnd(22)} ${sagas} sagas at ${o.rate}/s: ${total} ms CPU per saga (${Object.entries(
          res.cpuMsPerSaga,
        )
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}); ` +
          `hottest: ${processes
            .slice(0, 2)
            .map(
              (p) =>
                `${p.name} ${p.cpuMsPerSaga} ms/saga (JS: ${p.byPlace
                  .slice(0, 3)
                  .map((x) => `${x.place} ${x.share} %`)
                  .join(', ')})`,
            )
            .join('; ')}`,
      );
      out.push(res);
    } finally {
      ctx.wb.setChildEnv({});
    }
  }
  return out;
};
