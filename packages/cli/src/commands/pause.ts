import { type Command, EXIT, flagValue } from '../command.js';
import { writeLine } from '../output.js';

function queueSwitch(name: string, summary: string, description: string, act: 'pause' | 'resume'): Command {
  return {
    name,
    summary,
    usage: ['[--json]'],
    description,
    options: [{ flags: '--json', help: `one JSON object: {"queue":"…","paused":${act === 'pause'}}` }],
    positionals: false,
    prepare(args) {
      const json = flagValue(args, 'json');
      return {
        ok: true,
        async run({ queue, out }) {
          await (act === 'pause' ? queue.pause() : queue.resume());
          if (json) await writeLine(out, JSON.stringify({ queue: queue.name, paused: await queue.isPaused() }));
          else await writeLine(out, act === 'pause' ? `paused queue ${queue.name}` : `resumed queue ${queue.name}`);
          return EXIT.ok;
        },
      };
    },
  };
}

/** `jobs pause`: stop processing on every worker. */
export const pauseCommand = queueSwitch(
  'pause',
  'stop processing on every worker (the ingress keeps accepting)',
  `Pauses the queue for every worker at once: active jobs finish, no new job
starts. The ingress keeps acknowledging and enqueueing callbacks; they wait
in "waiting" until "jobs resume". Pausing twice is harmless.`,
  'pause',
);

/** `jobs resume`: restart processing on every worker. */
export const resumeCommand = queueSwitch(
  'resume',
  'restart processing after "jobs pause"',
  `Resumes a paused queue: every worker starts taking jobs again, the oldest
waiting first. Resuming a queue that is not paused is harmless.`,
  'resume',
);
