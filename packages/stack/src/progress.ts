/**
 * A live progress line. On a terminal it is redrawn in place (carriage return, cut to the
 * width); written to a file or a pipe (CI, `| tee`) each update is a plain line of its own,
 * at most one every `everyMs`, so a log holds readable lines instead of one line of thousands
 * of characters. `say` prints a permanent line either way.
 */
export const liveProgress = (out: NodeJS.WriteStream = process.stdout, everyMs = 10_000) => {
  const tty = out.isTTY === true;
  let last = 0;
  return {
    progress: (line: string) => {
      if (tty) return void out.write(`\r\x1b[2K  ${line.slice(0, (out.columns || 120) - 3)}`);
      if (Date.now() - last < everyMs) return;
      last = Date.now();
      out.write(`  … ${line}\n`);
    },
    say: (line: string) => void out.write(tty ? `\r\x1b[2K${line}\n` : `${line}\n`),
  };
};
