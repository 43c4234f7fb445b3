/** Where the tool writes: `process.stdout` / `process.stderr`, or a capture in tests. */
export interface Output {
  write(chunk: string): boolean;
  /** True on a terminal: progress lines are drawn only there. */
  isTTY?: boolean;
  once?(event: 'drain', listener: () => void): unknown;
}

/**
 * Writes one line and waits when the stream's buffer is full, so piping
 * 100k `--json` lines into a slow reader does not pile them up in memory.
 */
export async function writeLine(out: Output, line: string): Promise<void> {
  if (out.write(`${line}\n`) || !out.once) return;
  await new Promise<void>((resolve) => out.once?.('drain', resolve));
}

/** A single updating status line ("retried 120/400") on a terminal; nothing elsewhere. */
export interface Progress {
  update(done: number): void;
  /** Erases the line, so the summary that follows starts clean (a later update draws it again). */
  clear(): void;
}

/** Redraws per second at most: 100k updates must not cost 100k terminal writes. */
const REDRAW_MS = 100;

/**
 * Progress of a long scan or bulk action on `err`, drawn only when it is a
 * terminal (piped stderr stays clean), and redrawn at most every 100 ms,
 * except for the last step so the line ends on the real count.
 */
export function createProgress(err: Output, label: string, total: number, now: () => number = Date.now): Progress {
  if (err.isTTY !== true) return { update: () => {}, clear: () => {} };
  let drawn = false;
  let drawnAt = Number.NEGATIVE_INFINITY;
  return {
    update(done) {
      const at = now();
      if (at - drawnAt < REDRAW_MS && done < total) return;
      err.write(`\r\x1b[K${label} ${done}/${total}`);
      drawn = true;
      drawnAt = at;
    },
    clear() {
      if (drawn) err.write('\r\x1b[K');
      drawn = false;
    },
  };
}

/** Captures what the tool writes, for tests and for callers that want the text. */
export function createCapture(isTTY = false): Output & { text(): string; lines(): string[] } {
  const chunks: string[] = [];
  return {
    isTTY,
    write(chunk) {
      chunks.push(chunk);
      return true;
    },
    text: () => chunks.join(''),
    lines: () => chunks.join('').split('\n').filter(Boolean),
  };
}
