import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The repository root, for paths to built entry points. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface ServiceProcess {
  child: ChildProcess;
  /** Every line the process wrote to stdout and stderr so far. */
  output: string[];
  /** Resolves once a line matches (or rejects when the process exits first or time runs out). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code when the process exits by itself or is stopped. */
  exited: Promise<number | null>;
  /** True until the process exits (by itself or by a signal). */
  running(): boolean;
  /** The JSON lines of its log, or only those whose `msg` is `msg`. */
  logLines(msg?: string): Array<Record<string, unknown>>;
  /**
   * Sends `signal` and resolves with the exit code (null when a signal ended
   * it). A process still running `killAfterMs` later gets SIGKILL: a hung
   * shutdown fails the test's exit-code check instead of its timeout.
   */
  stop(signal?: NodeJS.Signals, killAfterMs?: number): Promise<number | null>;
}

/** Longer than the apps' own SHUTDOWN_TIMEOUT_MS defaults (10 s ingress, 30 s worker). */
const KILL_AFTER_MS = 40_000;

/**
 * Starts a built service (`node <entry>`) with the given environment added to
 * this process's own, and captures its output for assertions. `LOG_LEVEL`
 * defaults to info and `METRICS_PORT` to 0 (a worker's metrics listener off,
 * so several workers can run side by side) unless `env` sets them.
 */
export function startService(entry: string, env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, [entry], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'info', METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const waiters = new Set<() => void>();
  // A line can span two chunks: keep each stream's unfinished tail until its newline arrives.
  const collector = () => {
    let partial = '';
    return (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      output.push(...lines.filter(Boolean));
      for (const wake of waiters) wake();
    };
  };
  child.stdout?.on('data', collector());
  child.stderr?.on('data', collector());
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const running = () => child.exitCode === null && child.signalCode === null;

  return {
    child,
    output,
    exited,
    running,
    logLines(msg) {
      const lines = output.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
      return msg === undefined ? lines : lines.filter((line) => line.msg === msg);
    },
    waitForLine(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => finish(new Error(`no line matching ${pattern} in ${timeoutMs} ms:\n${tail()}`)),
          timeoutMs,
        );
        const check = () => {
          const line = output.find((l) => pattern.test(l));
          if (line !== undefined) finish(undefined, line);
        };
        const finish = (err?: Error, line?: string) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (err) reject(err);
          else resolve(line as string);
        };
        waiters.add(check);
        void exited.then((code) => finish(new Error(`process exited (${code}) before ${pattern}:\n${tail()}`)));
        check();
      });
    },
    async stop(signal = 'SIGTERM', killAfterMs = KILL_AFTER_MS) {
      if (!running()) return exited;
      child.kill(signal);
      const deadline = setTimeout(() => running() && child.kill('SIGKILL'), killAfterMs);
      try {
        return await exited;
      } finally {
        clearTimeout(deadline);
      }
    },
  };

  function tail() {
    return output.slice(-20).join('\n');
  }
}
