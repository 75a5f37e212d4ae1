import { describe, expect, it } from 'vitest';
import { ConfigError, databaseUrl, loadConfig, loadServerConfig, serviceUrlSetting, setting } from './index.ts';

describe('loadConfig', () => {
  it('applies loopback defaults and freezes the result', () => {
    const cfg = loadServerConfig({});
    expect(cfg.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(cfg.POSTGRES_URL).toBe('postgres://postgres@127.0.0.1:5432');
    expect(Object.isFrozen(cfg)).toBe(true);
  });

  it('names every bad setting and its value', () => {
    const run = () =>
      loadServerConfig({ KAFKA_BROKERS: 'no-port-here', POSTGRES_URL: 'mysql://x', TEMPORAL_ADDRESS: 'a:1' });
    expect(run).toThrow(ConfigError);
    try {
      run();
    } catch (e) {
      const err = e as ConfigError;
      expect(err.problems).toHaveLength(2);
      expect(err.message).toContain('KAFKA_BROKERS="no-port-here"');
      expect(err.message).toContain('POSTGRES_URL="mysql://x"');
    }
  });

  it('lists the valid values of an enumerated setting', () => {
    const shape = { ORCHESTRATOR: setting.oneOf(['custom', 'temporal'] as const, 'custom') };
    expect(loadConfig(shape, {}).ORCHESTRATOR).toBe('custom');
    expect(() => loadConfig(shape, { ORCHESTRATOR: 'camunda' })).toThrow(/ORCHESTRATOR="camunda".*custom, temporal/);
  });

  it('parses ports, ints and booleans strictly', () => {
    const shape = { PORT: setting.port(3000), DEBUG: setting.bool(false), N: setting.int(5, 1, 10) };
    expect(loadConfig(shape, { PORT: '8080', DEBUG: 'yes' })).toEqual({ PORT: 8080, DEBUG: true, N: 5 });
    expect(() => loadConfig(shape, { PORT: '70000' })).toThrow(/PORT="70000"/);
    expect(() => loadConfig(shape, { DEBUG: 'maybe' })).toThrow(/DEBUG="maybe".*true, false/);
    expect(() => loadConfig(shape, { N: '0' })).toThrow(/N="0"/);
  });

  it('treats a blank variable as unset', () => {
    expect(loadConfig({ PORT: setting.port(3000) }, { PORT: '  ' }).PORT).toBe(3000);
  });
});

describe('databaseUrl', () => {
  it('points the server URL at one database', () => {
    expect(databaseUrl('postgres://postgres@127.0.0.1:5432', 'orders')).toBe(
      'postgres://postgres@127.0.0.1:5432/orders',
    );
    expect(databaseUrl('postgres://u:p@db:6000/other?sslmode=require', 'x')).toBe(
      'postgres://u:p@db:6000/x?sslmode=require',
    );
  });
});

describe('serviceUrlSetting', () => {
  it('names the URL setting of the service that owns a command topic', () => {
    expect(serviceUrlSetting('inventory.commands')).toBe('INVENTORY_URL');
    expect(serviceUrlSetting('notification.commands')).toBe('NOTIFICATION_URL');
  });
});
