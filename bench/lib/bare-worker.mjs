// The worker baseline: a bare BullMQ Worker whose processor does nothing.
import { Worker } from 'bullmq';

const worker = new Worker(process.env.QUEUE_NAME, async () => {}, {
  connection: { url: process.env.REDIS_URL, maxRetriesPerRequest: null },
  prefix: process.env.QUEUE_PREFIX,
  concurrency: Number(process.env.WORKER_CONCURRENCY),
});
await worker.waitUntilReady();
process.send?.('ready');
process.on('SIGTERM', () => worker.close().then(() => process.exit(0)));
