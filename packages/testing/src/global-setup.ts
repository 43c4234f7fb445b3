import type { TestProject } from 'vitest/node';
import type {} from './inject.js';
import { postgresSpec, type ResolvedService, redisSpec, resolveService } from './services.js';

let started: ResolvedService[] = [];

/** Vitest global setup: finds Redis and Postgres once and hands their URLs to every test file. */
export async function setup(project: TestProject) {
  const [redis, postgres] = await Promise.all([resolveService(redisSpec), resolveService(postgresSpec)]);
  started = [redis, postgres];
  project.provide('redisUrl', redis.url);
  project.provide('databaseUrl', postgres.url);
}

export async function teardown() {
  await Promise.all(started.map((service) => service.stop?.()));
}
