export { readFixture } from './fixtures.js';
export { uniqueName } from './names.js';
export type { TestSchema } from './postgres.js';
export { createTestSchema } from './postgres.js';
export type { ServiceProcess } from './process.js';
export { freePort, repoRoot, startService } from './process.js';
export { deleteQueueKeys } from './redis.js';
export type { ResolvedService } from './services.js';
export { dockerAvailable, portAnswers, resolveService } from './services.js';
