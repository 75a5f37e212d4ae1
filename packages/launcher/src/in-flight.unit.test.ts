import { describe, expect, it } from 'vitest';
import { inFlightNotice } from './in-flight.ts';

describe('the launcher notice about sagas another coordinator owns', () => {
  it('names the owner, the count and how to finish them; says nothing about the active one or an empty one', () => {
    const lines = inFlightNotice('temporal', [
      { owner: 'custom', count: 12, ids: ['a'] },
      { owner: 'temporal', count: 3, ids: ['b'] },
    ]);
    expect(lines).toEqual([
      '12 sagas owned by custom are still in flight; they finish when custom runs (ORCHESTRATOR=custom npm run services, or alongside: npm run sagas -- drain custom)',
    ]);
    expect(inFlightNotice('custom', [{ owner: 'temporal', count: 0, ids: [] }])).toEqual([]);
    expect(inFlightNotice('none', [{ owner: 'custom', count: 1, ids: ['a'] }])[0]).toMatch(
      /^1 saga owned by custom is still in flight; it finishes/,
    );
  });

  it('says when a store could not be read instead of claiming there is nothing', () => {
    expect(inFlightNotice('custom', [{ owner: 'temporal', ids: [], error: 'connect ECONNREFUSED' }])).toEqual([
      'could not tell whether temporal has sagas in flight (connect ECONNREFUSED); any it has finish when temporal runs',
    ]);
  });
});
