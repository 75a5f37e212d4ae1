import { describe, expect, it } from 'vitest';
import { MODES, modeEnv, pickModes, schedule } from './modes.ts';

describe('benchmark modes', () => {
  it('every mode by default, a named subset in the given order', () => {
    expect(pickModes(undefined)).toEqual(MODES);
    expect(pickModes(['temporal-http', 'custom-kafka']).map((m) => m.name)).toEqual(['temporal-http', 'custom-kafka']);
  });

  it('ORCHESTRATOR keeps one coordinator\'s modes; a bad value names the valid ones', () => {
    expect(pickModes(undefined, 'custom').map((m) => m.name)).toEqual(['custom-kafka', 'custom-http']);
    expect(pickModes(undefined, 'temporal').map((m) => m.name)).toEqual(['temporal-kafka', 'temporal-http', 'temporal-http-local', 'temporal-pg-kafka', 'temporal-pg-http', 'temporal-pg-http-local']);
    expect(() => pickModes(undefined, 'camunda')).toThrow('ORCHESTRATOR="camunda" is not a coordinator; valid: custom, temporal');
  });

  it('refuses an unknown mode', () => {
    expect(() => pickModes(['custom-kafka', 'nope'])).toThrow(/unknown mode nope; valid: custom-kafka, custom-http/);
  });

  it('interleaves modes within each rate (A B A B …)', () => {
    const [a, b] = pickModes(['custom-http', 'temporal-http']) as [(typeof MODES)[number], (typeof MODES)[number]];
    expect(schedule([5, 10], [a, b]).map((s) => `${s.rate}:${s.mode.name}`)).toEqual(['5:custom-http', '5:temporal-http', '10:custom-http', '10:temporal-http']);
  });

  it('gives each Temporal mode its own task queue, activity kind and server', () => {
    const servers = { TEMPORAL_ADDRESS: 'dev:7233', TEMPORAL_PG_ADDRESS: 'pg:7333' };
    const [local, pgKafka] = pickModes(['temporal-http-local', 'temporal-pg-kafka']) as [(typeof MODES)[number], (typeof MODES)[number]];
    expect(modeEnv(local, 'run1', servers)).toEqual({ TRANSPORT: 'http', TEMPORAL_ACTIVITIES: 'local', TEMPORAL_TASK_QUEUE: 'run1-temporal-http-local', TEMPORAL_ADDRESS: 'dev:7233' });
    expect(modeEnv(pgKafka, 'run1', servers)).toEqual({ TRANSPORT: 'kafka', TEMPORAL_ACTIVITIES: 'regular', TEMPORAL_TASK_QUEUE: 'run1-temporal-pg-kafka', TEMPORAL_ADDRESS: 'pg:7333' });
    expect(modeEnv(MODES[0]!, 'run1', servers)).toEqual({ TRANSPORT: 'kafka' });
  });
});
