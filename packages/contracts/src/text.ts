/**
 * Text PostgreSQL cannot store — a NUL character, or a UTF-16 surrogate without its pair (which
 * `text` refuses as bytes and `jsonb` as `\u` escapes) — found anywhere in a JSON value, keys
 * included. Checked once at each edge (HTTP body, path, query; every Kafka message) so such input
 * is a 400 or a dead letter naming the field, never a database error.
 */
export interface TextProblem {
  path: string;
  message: string;
}

// eslint-disable-next-line no-control-regex
const NUL = /\u0000/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `s` cannot be stored, or undefined when it can. */
export const unstorable = (s: string): string | undefined =>
  NUL.test(s)
    ? 'contains a NUL character (\\u0000), which cannot be stored'
    : LONE_SURROGATE.test(s)
      ? 'contains a lone UTF-16 surrogate (not valid Unicode), which cannot be stored'
      : undefined;

/** Every string (and key) in `value` that cannot be stored, with its dotted path under `root`. */
export const unstorableText = (value: unknown, root = ''): TextProblem[] => {
  const at = (key: string | number) => (root ? `${root}.${key}` : String(key));
  if (typeof value === 'string') {
    const why = unstorable(value);
    return why ? [{ path: root || '(root)', message: why }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => unstorableText(v, at(i)));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => {
      const why = unstorable(k);
      return [...(why ? [{ path: at(k), message: `key ${why}` }] : []), ...unstorableText(v, at(k))];
    });
  }
  return [];
};
