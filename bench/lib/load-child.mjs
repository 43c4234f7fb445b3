// One autocannon load in a process of its own, so that two loads at once do
// not share one event loop (the bench's own) and measure that instead of
// the servers. Parameters come in LOAD (JSON); the result goes back over IPC.
import { readFileSync } from 'node:fs';
import { load } from './load.mjs';

const { bodyFile, ...options } = JSON.parse(process.env.LOAD);
process.send(await load({ ...options, body: readFileSync(bodyFile) }));
process.exit(0);
