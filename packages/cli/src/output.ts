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
  /** Erases the line, so the summary that follows starts clean. */
  clear(): void;
}

/** Progress of a bulk action on `err`, drawn only when it is a terminal. */
export function createProgress(err: Output, label: string, total: number): Progress {
  if (err.isTTY !== true) return { update: () => {}, clear: () => {} };
  let drawn = false;
  return {
    update(done) {
      err.write(`\r\x1b[K${label} ${done}/${total}`);
      drawn = true;
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
