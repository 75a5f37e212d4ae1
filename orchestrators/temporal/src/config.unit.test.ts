import { describe, expect, it } from 'vitest';
import { ConfigError } from '@saga/config';
import { loadTemporalConfig } from './config.ts';

describe('Temporal coordinator settings', () => {
  it('defaults to regular activities over Kafka', () => {
    const cfg = loadTemporalConfig({});
    expect([cfg.TRANSPORT, cfg.TEMPORAL_ACTIVITIES]).toEqual(['kafka', 'regular']);
  });

  it('accepts local activities over HTTP', () => {
    expect(loadTemporalConfig({ TRANSPORT: 'http', TEMPORAL_ACTIVITIES: 'local' }).TEMPORAL_ACTIVITIES).toBe('local');
  });

  it('refuses local activities over Kafka, naming the setting and the way out', () => {
    expect(() => loadTemporalConfig({ TEMPORAL_ACTIVITIES: 'local' })).toThrow(ConfigError);
    expect(() => loadTemporalConfig({ TEMPORAL_ACTIVITIES: 'local' })).toThrow(
      /TEMPORAL_ACTIVITIES="local".*TRANSPORT=http/,
    );
  });

  it('refuses an unknown activity kind, listing the valid ones', () => {
    expect(() => loadTemporalConfig({ TEMPORAL_ACTIVITIES: 'eager' })).toThrow(
      /TEMPORAL_ACTIVITIES="eager": expected one of regular, local/,
    );
  });
});
