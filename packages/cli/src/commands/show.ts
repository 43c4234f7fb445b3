import { type Command, EXIT, flagValue, usage } from '../command.js';
import { formatJobDetails, toJobDetails } from '../job-details.js';
import { writeLine } from '../output.js';

/** `jobs show <id>`: everything about one job. */
export const showCommand: Command = {
  name: 'show',
  summary: 'everything about one job: event, payload, attempts, each error',
  usage: ['<id> [--json]'],
  description: `Shows one job in any state: its command, state, operationID, when the
ingress received it, the normalised event, the raw payload as OpenIM sent
it, attempts made of allowed, the failure reason, every error BullMQ kept
(with its stack trace), when it was created, processed and finished, and
what the sinks returned.`,
  options: [{ flags: '--json', help: 'the same as one JSON object' }],
  epilog: 'Exits 1 when no job has this id (completed jobs leave after their retention).',
  positionals: true,
  prepare(args) {
    const [id, extra] = args.positionals;
    if (id === undefined) return usage('give the id of a job');
    if (extra !== undefined) return usage(`one id at a time (unexpected "${extra}")`);
    const json = flagValue(args, 'json');
    return {
      ok: true,
      async run({ queue, out, err, paint }) {
        const job = await queue.getJob(id);
        if (!job) {
          await writeLine(err, `openim-sync jobs show: no job with id "${id}"`);
          return EXIT.error;
        }
        const details = toJobDetails(job, await job.getState());
        if (json) await writeLine(out, JSON.stringify(details));
        else for (const line of formatJobDetails(details, paint.out)) await writeLine(out, line);
        return EXIT.ok;
      },
    };
  },
};
