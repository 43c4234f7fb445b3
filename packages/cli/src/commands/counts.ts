import { inboxKeys, inboxLengths } from '@openim-sync/queue';
import { type Command, EXIT, flagValue } from '../command.js';
import { formatTable } from '../format.js';
import { writeLine } from '../output.js';

const STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;

/** `jobs counts`: jobs per state, whether the queue is paused, and the inbox's entries. */
export const countsCommand: Command = {
  name: 'counts',
  summary: 'jobs per state, whether the queue is paused, entries in the inbox and its rejected stream',
  usage: ['[--json]'],
  description: `Shows how many jobs are waiting, active, delayed (waiting for a retry),
completed (still in retention) and failed, whether the queue is paused, and
how many entries the inbox holds: "inbox" counts callbacks the ingress
acknowledged that no worker has moved into the queue yet,
"inbox rejected" the entries no worker could turn into a job (see "jobs inbox").

"paused" is yes or no, not a number: BullMQ 6 has no paused job state; the
jobs of a paused queue stay in "waiting" until "jobs resume".`,
  options: [
    {
      flags: '--json',
      help: 'one JSON object: {"waiting":0,…,"failed":0,"paused":false,"inbox":0,"inboxRejected":0}',
    },
  ],
  positionals: false,
  prepare(args) {
    const json = flagValue(args, 'json');
    return {
      ok: true,
      async run({ queue, redis, settings, out }) {
        const [counts, paused, lengths] = await Promise.all([
          queue.getJobCounts(...STATES),
          queue.isPaused(),
          inboxLengths(redis, inboxKeys(settings)),
        ]);
        const { inbox, rejected: inboxRejected } = lengths;
        const values = Object.fromEntries(STATES.map((state) => [state, counts[state] ?? 0]));
        if (json) {
          await writeLine(out, JSON.stringify({ ...values, paused, inbox, inboxRejected }));
          return EXIT.ok;
        }
        const rows = [
          ...STATES.map((state) => [state, String(values[state])]),
          ['paused', paused ? 'yes' : 'no'],
          ['inbox', String(inbox)],
          ['inbox rejected', String(inboxRejected)],
        ];
        for (const line of formatTable(rows)) await writeLine(out, line);
        return EXIT.ok;
      },
    };
  },
};
