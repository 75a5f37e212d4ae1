import { describe, expect, it } from 'vitest';
import { unstorableText } from './text.ts';

describe('unstorableText', () => {
  it('finds NUL characters and lone surrogates anywhere, keys included, with their paths', () => {
    const found = unstorableText({
      customerId: 'a\u0000b',
      lines: [{ sku: 'ok' }, { sku: '\uD800' }],
      ['k\u0000']: 1,
      fine: 'x',
    });
    expect(found.map((f) => f.path)).toEqual(['customerId', 'lines.1.sku', 'k\u0000']);
    expect(found[0]!.message).toMatch(/NUL/);
    expect(found[1]!.message).toMatch(/lone UTF-16 surrogate/);
    expect(found[2]!.message).toMatch(/^key /);
    expect(unstorableText('\uDC00', 'path')).toEqual([
      { path: 'path', message: expect.stringMatching(/surrogate/) as string },
    ]);
  });

  it('accepts any well-formed text, emoji (surrogate pairs) included, and non-strings', () => {
    expect(unstorableText({ a: 'Grüße 🎉 \u{10FFFF}', b: [1, true, null, { c: '' }] })).toEqual([]);
  });
});
