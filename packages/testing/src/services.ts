import { existsSync } from 'node:fs';
import { connect } from 'node:net';

/** A service the tests need, and how it was found. */
export interface ResolvedService {
  url: string;
  source: 'environment' | 'testcontainers' | 'local';
  stop?: () => Promise<unknown>;
}

/** True when a Docker engine looks reachable (socket or DOCKER_HOST). */
export function dockerAvailable(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
}

/** Resolves when something accepts TCP connections on host:port within `timeoutMs`. */
export function portAnswers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

interface ServiceSpec {
  name: string;
  envVar: 'REDIS_URL' | 'DATABASE_URL';
  localPort: number;
  localUrl: string;
  startContainer: () => Promise<{ url: string; stop: () => Promise<unknown> }>;
}

/**
 * Finds a real service for the tests, in the project's order: the
 * environment variable, a testcontainer when a Docker engine runs, the local
 * default port. Throws, naming the variable to set, when none works: a test
 * suite that silently skips its integration tests proves nothing.
 */
export async function resolveService(spec: ServiceSpec): Promise<ResolvedService> {
  const fromEnv = process.env[spec.envVar];
  if (fromEnv) return { url: fromEnv, source: 'environment' };
  if (dockerAvailable()) {
    try {
      const container = await spec.startContainer();
      return { ...container, source: 'testcontainers' };
    } catch {
      // A socket without a working engine: fall through to the local port.
    }
  }
  if (await portAnswers('127.0.0.1', spec.localPort)) return { url: spec.localUrl, source: 'local' };
  throw new Error(
    `No ${spec.name} for the tests: set ${spec.envVar}, run a Docker engine for testcontainers, ` +
      `or start ${spec.name} on 127.0.0.1:${spec.localPort}.`,
  );
}

export const redisSpec: ServiceSpec = {
  name: 'Redis',
  envVar: 'REDIS_URL',
  localPort: 6379,
  localUrl: 'redis://127.0.0.1:6379',
  startContainer: async () => {
    const { RedisContainer } = await import('@testcontainers/redis');
    const container = await new RedisContainer('redis:7-alpine').start();
    return { url: container.getConnectionUrl(), stop: () => container.stop() };
  },
};

export const postgresSpec: ServiceSpec = {
  name: 'PostgreSQL',
  envVar: 'DATABASE_URL',
  localPort: 5432,
  localUrl: 'postgres://postgres@127.0.0.1:5432/test',
  startContainer: async () => {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:16-alpine').start();
    return { url: container.getConnectionUri(), stop: () => container.stop() };
  },
};
