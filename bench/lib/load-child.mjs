// One load in a process of its own, so that two loads at once do not share one
// event loop (the bench's own) and measure that instead of the servers: the
// soak's paced sender beside the other parts' load, or two saturating loads.
// Parameters come in LOAD (JSON: `paced` picks the paced sender over
// autocannon); the result goes back over IPC.
import { readFileSync } from 'node:fs';
import { load } from './load.mjs';
import { paced } from './paced.mjs';

const { bodyFile, paced: isPaced, ...options } = JSON.parse(process.env.LOAD);
// A 'stop' message ends the paced sender early (see loadInChild's stopWhen).
const stop = new AbortController();
process.on('message', (message) => message === 'stop' && stop.abort());
const body = readFileSync(bodyFile);
process.send(await (isPaced ? paced({ ...options, body, signal: stop.signal }) : load({ ...options, body })));
process.exit(0);
