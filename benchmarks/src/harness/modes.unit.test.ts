import { describe, expect, it } from 'vitest';
import { interleave, latencyPlan, MODES, modeEnv, pickModes } from './modes.ts';

describe('benchmark modes', () => {
  it('every mode by default, a named subset in the given order', () => {
    expect(pickModes(undefined)).toEqual(MODES);
    expect(pickModes(['temporal-http', 'custom-kafka']).map((m) => m.name)).toEqual(['temporal-http', 'custom-kafka']);
  });

  it("ORCHESTRATOR keeps one coordinator's modes; a bad value names the valid ones", () => {
    expect(pickModes(undefined, 'custom').map((m) => m.name)).toEqual(['custom-kafka', 'custom-http']);
    expect(pickModes(undefined, 'temporal').map((m) => m.name)).toEqual([
      'temporal-kafka',
      'temporal-http',
      'temporal-http-local',
      'temporal-pg-kafka',
      'temporal-pg-http',
      'temporal-pg-http-local',
    ]);
    expect(() => pickModes(undefined, 'camunda')).toThrow(
      'ORCHESTRATOR="camunda" is not a coordinator; valid: custom, temporal',
    );
  });

  it('refuses an unknown mode', () => {
    expect(() => pickModes(['custom-kafka', 'nope'])).toThrow(/unknown mode nope; valid: custom-kafka, custom-http/);
  });

  it("interleaves the repetitions across modes (A B, A B, …), never one mode's repetitions back to back", () => {
    const modes = pickModes(['custom-http', 'temporal-http']);
    expect(interleave(modes, 3).map((s) => `${s.rep}:${s.mode.name}`)).toEqual([
      '1:custom-http',
      '1:temporal-http',
      '2:custom-http',
      '2:temporal-http',
      '3:custom-http',
      '3:temporal-http',
    ]);
    expect(interleave(modes, 1).map((s) => s.mode.name)).toEqual(['custom-http', 'temporal-http']);
  });

  it('with a seed, shuffles the modes anew in each repetition — every mode once per repetition, the same order for the same seed', () => {
    const modes = ['a', 'b', 'c', 'd', 'e'];
    const order = (seed: number) => interleave(modes, 4, seed).map((s) => `${s.rep}:${s.mode}`);
    const reps = (seed: number) =>
      [1, 2, 3, 4].map((r) =>
        interleave(modes, 4, seed)
          .filter((s) => s.rep === r)
          .map((s) => s.mode),
      );
    for (const rep of reps(42)) expect([...rep].sort()).toEqual(modes);
    expect(order(42)).toEqual(order(42));
    expect(new Set(reps(42).map((r) => r.join(''))).size).toBeGreaterThan(1);
    expect(order(42)).not.toEqual(order(43));
  });

  it("latency's plan: per repetition every rate once and at each rate every mode once, rates and modes both shuffled by the seed", () => {
    const modes = ['a', 'b', 'c'];
    const rates = [5, 10, 25, 50];
    const plan = (seed?: number) => latencyPlan(modes, rates, 6, seed);
    const p = plan(7);
    expect(p).toHaveLength(6 * 4 * 3);
    for (let rep = 1; rep <= 6; rep++)
      for (const rate of rates)
        expect(
          p
            .filter((x) => x.rep === rep && x.rate === rate)
            .map((x) => x.mode)
            .sort(),
        ).toEqual(modes);
    const rateOrders = new Set(
      [1, 2, 3, 4, 5, 6].map((rep) => [...new Set(p.filter((x) => x.rep === rep).map((x) => x.rate))].join(',')),
    );
    expect(rateOrders.size).toBeGreaterThan(1);
    const firstModes = new Set(rates.map((rate) => p.find((x) => x.rate === rate)!.mode));
    expect(firstModes.size).toBeGreaterThan(1);
    expect(plan(7)).toEqual(p);
    expect(plan(8)).not.toEqual(p);
    // No seed: rates up, modes as given.
    expect(latencyPlan(modes, rates, 1).map((x) => `${x.rate}${x.mode}`)).toEqual(
      rates.flatMap((r) => modes.map((m) => `${r}${m}`)),
    );
  });

  it('gives each Temporal mode its own task queue, activity kind and server', () => {
    const servers = { TEMPORAL_ADDRESS: 'dev:7233', TEMPORAL_PG_ADDRESS: 'pg:7333' };
    const [local, pgKafka] = pickModes(['temporal-http-local', 'temporal-pg-kafka']) as [
      (typeof MODES)[number],
      (typeof MODES)[number],
    ];
    expect(modeEnv(local, 'run1', servers)).toEqual({
      TRANSPORT: 'http',
      TEMPORAL_ACTIVITIES: 'local',
      TEMPORAL_TASK_QUEUE: 'run1-temporal-http-local',
      TEMPORAL_ADDRESS: 'dev:7233',
    });
    expect(modeEnv(pgKafka, 'run1', servers)).toEqual({
      TRANSPORT: 'kafka',
      TEMPORAL_ACTIVITIES: 'regular',
      TEMPORAL_TASK_QUEUE: 'run1-temporal-pg-kafka',
      TEMPORAL_ADDRESS: 'pg:7333',
    });
    expect(modeEnv(MODES[0]!, 'run1', servers)).toEqual({ TRANSPORT: 'kafka' });
  });
});
