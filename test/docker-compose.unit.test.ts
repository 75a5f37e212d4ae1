import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DATABASES, TEMPORAL_TUNING, Versions, loadStackSettings } from '@saga/stack';

// docker-compose.yml is not run here (no Docker engine): this keeps it valid YAML and in step
// with the no-Docker stack's versions, ports and database names.
const root = new URL('../', import.meta.url);
const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8')) as {
  services: Record<string, { image: string; ports?: string[]; command?: string[] }>;
};
const defaults = loadStackSettings({});
const hostPorts = (svc: string) => (compose.services[svc]?.ports ?? []).map((p) => Number(p.split(':').at(-2)));

describe('docker-compose.yml', () => {
  it('has the three servers of the stack', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['kafka', 'postgres', 'temporal']);
  });

  it('pins the same versions', () => {
    expect(compose.services.postgres!.image).toBe(`postgres:${Versions.postgres}`);
    expect(compose.services.kafka!.image).toBe(`apache/kafka:${Versions.kafka}`);
    expect(compose.services.temporal!.image).toBe(`temporalio/temporal:${Versions.temporalCli.replace(/^v/, '')}`);
  });

  it('publishes the same ports as the stack defaults', () => {
    expect(hostPorts('postgres')).toEqual([defaults.postgres.port]);
    expect(hostPorts('kafka')).toEqual([defaults.kafka.port]);
    expect(hostPorts('temporal')).toEqual([defaults.temporal.port, defaults.temporal.uiPort]);
    expect(compose.services.temporal!.command).toContain(defaults.servers.TEMPORAL_NAMESPACE);
  });

  it('runs the dev server with the stack\'s tuning (ADR 0005)', () => {
    const cmd = compose.services.temporal!.command ?? [];
    for (const kv of TEMPORAL_TUNING) expect(cmd.join(' ')).toContain(`--dynamic-config-value ${kv}`);
    expect(cmd.join(' ')).toContain('--sqlite-pragma journal_mode=WAL');
  });

  it('creates every database the stack creates', () => {
    const sql = readFileSync(new URL('docker/postgres-init.sql', root), 'utf8');
    const created = [...sql.matchAll(/^CREATE DATABASE (\w+);/gm)].map((m) => m[1]);
    expect(created.sort()).toEqual([...DATABASES].sort());
  });
});
