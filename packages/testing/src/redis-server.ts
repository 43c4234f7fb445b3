import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { expect, vi } from 'vitest';
import { freePort } from './process.js';

export interface RedisServer {
  url: string;
  port: number;
  /** Resolves once Redis answers PING (its append-only file loaded). */
  start(): Promise<void>;
  /** SIGKILL: no shutdown, no final fsync; what is left is what the AOF already held. */
  kill(): Promise<void>;
  /** SIGSTOP and SIGCONT: a Redis that hangs without closing its connections, then wakes up. */
  pause(): void;
  resume(): void;
  /** Kills it if running and removes its directory. */
  close(): Promise<void>;
}

export interface RedisServerOptions {
  /**
   * Persistence by the append-only file, fsynced on every write, so an
   * acknowledged job survives a SIGKILL of Redis (the default); false: none,
   * a restart starts empty.
   */
  appendonly?: boolean;
  /** maxmemory in bytes (noeviction, as the project asks of Redis). */
  maxmemory?: number;
  /** requirepass: the URL carries it. */
  password?: string;
  /** Last on the command line, so they override the rest (`--appendfsync everysec`). */
  args?: string[];
}

/**
 * A redis-server of the test's own on a free port, so it can be killed,
 * frozen or filled without touching the shared one. Restarts reuse the port
 * and the directory.
 */
export async function createRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'openim-sync-redis-'));
  const persistence =
    options.appendonly === false ? ['--appendonly', 'no'] : ['--appendonly', 'yes', '--appendfsync', 'always'];
  const args = [
    ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''],
    ...persistence,
    ...['--maxmemory-policy', 'noeviction'],
    ...(options.maxmemory === undefined ? [] : ['--maxmemory', String(options.maxmemory)]),
    ...(options.password === undefined ? [] : ['--requirepass', options.password]),
    ...(options.args ?? []),
  ];
  let child: ChildProcess | undefined;
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  const kill = async () => {
    if (!child || !running()) return;
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };

  return {
    url: `redis://${options.password === undefined ? '' : `:${options.password}@`}127.0.0.1:${port}`,
    port,
    async start() {
      const output: string[] = [];
      child = spawn('/usr/bin/redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      await vi.waitFor(
        async () => {
          if (!running()) throw new Error(`redis-server exited:\n${output.join('')}`);
          const client = new Redis(port, '127.0.0.1', {
            lazyConnect: true,
            maxRetriesPerRequest: 0,
            password: options.password,
          });
          client.on('error', () => {});
          try {
            await client.connect();
            expect(await client.ping()).toBe('PONG');
          } finally {
            client.disconnect();
          }
        },
        { timeout: 15_000, interval: 50 },
      );
    },
    kill,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    async close() {
      if (running()) child?.kill('SIGCONT');
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
