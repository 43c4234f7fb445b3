import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, portAnswers } from '@openim-sync/testing';
import { Redis } from 'ioredis';
import { expect, vi } from 'vitest';

export interface RedisServer {
  url: string;
  /** Resolves once Redis answers PING (its append-only file loaded). */
  start(): Promise<void>;
  /** SIGKILL: no shutdown, no final fsync; what is left is what the AOF already held. */
  kill(): Promise<void>;
  /** Kills it if running and removes its directory. */
  close(): Promise<void>;
}

/**
 * A redis-server of the test's own, so it can be killed: persistence by the
 * append-only file only, fsynced on every write, so an acknowledged job
 * survives a SIGKILL of Redis. Restarts reuse the port and the directory.
 * `extraArgs` come last, so they override these (`--appendonly no`).
 */
export async function createRedisServer(
  binary = '/usr/bin/redis-server',
  extraArgs: string[] = [],
): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'openim-sync-redis-'));
  const args = [
    ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir],
    ...['--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--maxmemory-policy', 'noeviction'],
    ...extraArgs,
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
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const output: string[] = [];
      child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      await vi.waitFor(
        async () => {
          if (!running()) throw new Error(`redis-server exited:\n${output.join('')}`);
          expect(await portAnswers('127.0.0.1', port, 200)).toBe(true);
          const client = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
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
    async close() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
