import type { Command } from './command.js';

/** The tool's own `--help`: the verbs, the environment, the exit codes. */
export function toolHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const verbs = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n');
  return `Usage: jobs <command> [options]

Inspects and operates the OpenIM callback queue: counts, failed jobs,
redrive, removal, replay, the inbox's rejected entries, pause and resume;
reconciles group membership with OpenIM's REST API.

Commands:
${verbs}

Run "jobs <command> --help" for a command's options and examples.

Environment (the same as the ingress and the worker):
  REDIS_URL     Redis holding the queue (default redis://127.0.0.1:6379)
  QUEUE_NAME    BullMQ queue name (default openim-callbacks)
  QUEUE_PREFIX  BullMQ key prefix (default bull)
  RETRY_SCHEDULE, KEEP_COMPLETED_*, KEEP_FAILED_*: options of replayed jobs
  reconcile: DATABASE_URL, DATABASE_SCHEMA, OPENIM_API_URL, OPENIM_ADMIN_SECRET,
    OPENIM_ADMIN_USER_ID (it needs no Redis)

Exit codes: 0 done, 1 error (unknown job id, Redis unreachable, an action
failed), 2 bad usage (unknown command or option, bad filter value).
`;
}
