import { type Command, EXIT, flagValue, usage } from '../command.js';
import { formatTable } from '../format.js';
import { writeLine } from '../output.js';

const STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;

/** `jobs counts`: jobs per state, and whether the queue is paused. */
export const countsCommand: Command = {
  name: 'counts',
  summary: 'jobs per state (waiting, active, delayed, completed, failed) and whether the queue is paused',
  help: `Usage: jobs counts [--json]

Shows how many jobs are waiting, active, delayed (waiting for a retry),
completed (still in retention) and failed, and whether the queue is paused.

"paused" is yes or no, not a number: BullMQ 6 has no paused job state; the
jobs of a paused queue stay in "waiting" until "jobs resume".

Options:
  --json      one JSON object: {"waiting":0,…,"failed":0,"paused":false}
  -h, --help  this help
`,
  options: { json: { type: 'boolean' } },
  positionals: false,
  prepare(args) {
    if (args.positionals.length > 0) return usage(`unexpected argument "${args.positionals[0]}"`);
    const json = flagValue(args, 'json');
    return {
      ok: true,
      async run({ queue, out }) {
        const [counts, paused] = await Promise.all([queue.getJobCounts(...STATES), queue.isPaused()]);
        const values = Object.fromEntries(STATES.map((state) => [state, counts[state] ?? 0]));
        if (json) {
          await writeLine(out, JSON.stringify({ ...values, paused }));
          return EXIT.ok;
        }
        const rows = [...STATES.map((state) => [state, String(values[state])]), ['paused', paused ? 'yes' : 'no']];
        for (const line of formatTable(rows)) await writeLine(out, line);
        return EXIT.ok;
      },
    };
  },
};
