// The inbox: the stream the ingress appends to (entry.ts), the mover that turns its entries into
// jobs (mover.ts, to-job.ts), the rejected stream (rejected.ts), its redrive (redrive.ts) and
// finding a callback in either stream (find.ts).
export type { InboxKeys, InboxRecord } from './entry.js';
export { appendToInbox, INBOX_GROUP, inboxKeys, inboxLengths, readInboxFields } from './entry.js';
export type { FoundEntry } from './find.js';
export { findInboxEntries } from './find.js';
export type { InboxMover, InboxMoverOptions } from './mover.js';
export { createInboxMover } from './mover.js';
export { countRejected, newestRejected, oldestRejected, readRejected, redriveRejected, STREAM_ID } from './redrive.js';
export type { RejectedEntry } from './rejected.js';
export { keepRejected, readRejectedFields } from './rejected.js';
