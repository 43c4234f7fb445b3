// The Redis ceiling: how fast one process can Queue.add the ingress's own
// jobs (same data, same options, unique ids), with CONCURRENCY adds in flight.
import { callbackJobId, callbackJobOptions, createCallbackQueue, createProducerConnection } from '@openim-sync/queue';

const { REDIS_URL, QUEUE_NAME, QUEUE_PREFIX, DURATION_MS, ROUNDS, CONCURRENCY, BODY } = process.env;
const settings = {
  redisUrl: REDIS_URL,
  name: QUEUE_NAME,
  prefix: QUEUE_PREFIX,
  attempts: 12,
  retryScheduleMs: [10_000, 60_000, 300_000],
  keepCompleted: { count: 1000, age: 3600 },
  keepFailed: { count: 0, age: 1209600 },
  contentDedupMs: 0,
};
const connection = createProducerConnection(REDIS_URL, 2000);
const queue = createCallbackQueue(settings, connection);
await queue.waitUntilReady();
const body = Buffer.from(BODY);
const payload = JSON.parse(BODY);
const event = { type: 'group.member.joined', groupID: payload.groupID, userID: payload.inviterUserID };
// ROUNDS rounds of DURATION_MS each, in this one process (warm after the first).
const rates = [];
for (let round = 0; round < Number(ROUNDS); round++) {
  let added = 0;
  const deadline = Date.now() + Number(DURATION_MS);
  const lane = async (id) => {
    for (let i = 0; Date.now() < deadline; i++) {
      const operationID = `add-${round}-${id}-${i}`;
      const jobId = callbackJobId(payload.callbackCommand, operationID, body);
      const data = { command: payload.callbackCommand, operationID, receivedAt: Date.now(), event, payload };
      await queue.add(data.command, data, callbackJobOptions(settings, jobId, settings.contentDedupMs));
      added++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: Number(CONCURRENCY) }, (_, i) => lane(i)));
  rates.push((added * 1000) / (Date.now() - started));
}
process.send?.({ addsPerSecond: rates });
await queue.close();
connection.disconnect();
