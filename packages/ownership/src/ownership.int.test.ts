import { afterAll, describe, expect, it } from 'vitest';
import { dropDatabase } from '@saga/postgres';
import { servers, uniqueName } from '@saga/testkit';
import { openOwnership } from './index.ts';

describe('saga ownership registry', () => {
  const database = uniqueName('t_registry');
  afterAll(() => dropDatabase(servers.POSTGRES_URL, database));

  it('gives each saga to exactly one of two owners claiming at once, and keeps it there', async () => {
    const [a, b] = await Promise.all(
      ['custom', 'temporal'].map((owner) => openOwnership({ postgresUrl: servers.POSTGRES_URL, database, owner })),
    );
    const ids = Array.from({ length: 200 }, (_, i) => `saga-${i}`);
    const [wonA, wonB] = await Promise.all([a!, b!].map((o) => Promise.all(ids.map((id) => o.claim(id)))));
    ids.forEach((_, i) => expect(wonA![i] !== wonB![i], `saga-${i} has exactly one owner`).toBe(true));
    expect(wonA!.filter(Boolean).length + wonB!.filter(Boolean).length).toBe(ids.length);
    // A second claim (a redelivered OrderCreated) gives the same answers.
    expect(await Promise.all(ids.map((id) => a!.claim(id)))).toEqual(wonA);
    expect(await Promise.all(ids.map((id) => b!.claim(id)))).toEqual(wonB);
    await a!.close();
    await b!.close();
  });
});
