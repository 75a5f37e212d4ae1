import { describe, expect, it } from 'vitest';
import { liveProgress } from './progress.ts';

const stream = (isTTY: boolean) => {
  const written: string[] = [];
  return {
    written,
    out: { isTTY, columns: 40, write: (s: string) => written.push(s) > 0 } as unknown as NodeJS.WriteStream,
  };
};

describe('liveProgress', () => {
  it('to a file or pipe: plain lines, at most one per interval, no carriage returns', () => {
    const { written, out } = stream(false);
    const p = liveProgress(out, 60_000);
    p.progress('sent 10');
    p.progress('sent 20'); // within the interval: dropped
    p.say('done');
    expect(written).toEqual(['  … sent 10\n', 'done\n']);
    expect(written.join('')).not.toContain('\r');
  });

  it('on a terminal: the line is redrawn in place, cut to the width', () => {
    const { written, out } = stream(true);
    const p = liveProgress(out);
    p.progress('x'.repeat(100));
    p.progress('sent 20');
    expect(written).toHaveLength(2);
    expect(written[0]!.startsWith('\r')).toBe(true);
    expect(written[0]!.length).toBeLessThan(50);
    expect(written[1]).toContain('sent 20');
  });
});
