import { describe, expect, it } from 'vitest';
import { brokenReference, codeLines, functionComplexity, loadConcepts, sqlLines } from './complexity.ts';

describe('complexity suite', () => {
  it('every concept in docs/complexity/concepts.yaml points at a line that still uses it', () => {
    const concepts = loadConcepts();
    for (const list of Object.values(concepts)) expect(list.length).toBeGreaterThan(5);
    const all = Object.values(concepts).flat();
    expect(all.map(brokenReference).filter(Boolean)).toEqual([]);
    expect(all.filter((c) => c.kind !== 'ours' && c.kind !== 'platform')).toEqual([]);
  });

  it('a reference that moved or vanished is reported', () => {
    expect(
      brokenReference({
        concept: 'x',
        kind: 'ours',
        at: 'orchestrators/custom/src/engine.ts:1',
        text: 'export type SagaStatus =',
      }),
    ).toMatch(/no longer contains/);
    expect(
      brokenReference({ concept: 'x', kind: 'ours', at: 'orchestrators/custom/src/engine.ts:99999', text: 'a' }),
    ).toMatch(/past the end/);
    expect(
      brokenReference({ concept: 'x', kind: 'ours', at: 'orchestrators/custom/src/gone.ts:1', text: 'a' }),
    ).toMatch(/does not exist/);
  });

  it('counts lines that hold code, not blanks, comments or doc comments', () => {
    const text = [
      '/** doc',
      ' * more */',
      '// comment',
      'const a = 1; // trailing',
      '',
      'const b = `x',
      '${a}',
      'y`;',
      '/* block */',
      'function f(x: number) {',
      '  return x;',
      '}',
    ].join('\n');
    expect(codeLines(text)).toBe(7);
    expect(sqlLines('-- a table\nCREATE TABLE t (\n\n  id int\n);\n')).toBe(3);
  });

  it("takes each function's cyclomatic complexity from ESLint's complexity rule", async () => {
    const text =
      'export function f(a: number, b: boolean) {\n  if (a > 1 && b) return 1;\n  for (let i = 0; i < a; i++) if (i) return 2;\n  return a ? 3 : 4;\n}\nexport const g = () => 1;\n';
    const fns = await functionComplexity([{ file: 'benchmarks/src/harness/example.ts', text }]);
    expect(fns.map((f) => [f.name, f.line, f.complexity])).toEqual([
      ["Function 'f'", 1, 6],
      ['Arrow function', 6, 1],
    ]);
  });
});
