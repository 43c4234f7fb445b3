import { queueEnv } from '@openim-sync/queue';
import { describeSettings } from '@openim-sync/runtime';
import { Command as Commander, CommanderError, Option, type OutputConfiguration } from 'commander';
import type { Command, ParsedArgs } from './command.js';
import { cliVersion } from './version.js';

/** The product's command: the bin of this package and of the worker image. */
export const BIN = 'openim-sync';

/** The command group of the queue's verbs: `openim-sync jobs failed`, `pnpm jobs failed` in a checkout. */
export const GROUP = 'jobs';

const DESCRIPTION = `Operates an openim-sync deployment from the command line: the callback
queue and its inbox, and the Postgres projection's group membership.`;

const EPILOG = `
Run "${BIN} jobs --help" for the commands of the queue.

Colour only on a terminal; NO_COLOR=1 turns it off, FORCE_COLOR=1 on.`;

const JOBS_DESCRIPTION = `Inspects and operates the OpenIM callback queue: counts, failed jobs,
finding a callback by operationID, redrive, removal, replay, the inbox's
rejected entries, pause and resume; reconciles group membership with
OpenIM's REST API. Every command has --json for machine output.`;

/** The queue's connection variables with their defaults, as the schema has them (one home for both). */
function connectionEnv(): string {
  const { REDIS_URL, QUEUE_NAME, QUEUE_PREFIX } = queueEnv;
  return describeSettings({ REDIS_URL, QUEUE_NAME, QUEUE_PREFIX })
    .map((setting) => `  ${setting.name.padEnd(12)}  default ${setting.default}`)
    .join('\n');
}

const JOBS_EPILOG = `
Run "${BIN} jobs <command> --help" for a command's options and examples.
In a checkout, "pnpm jobs <command>" runs the same after "pnpm build".

Environment (the ingress's and the worker's; docs/configuration.md describes
every variable):
${connectionEnv()}
  RETRY_SCHEDULE, KEEP_COMPLETED_*, KEEP_FAILED_*: options of replayed jobs
  reconcile: DATABASE_URL, DATABASE_SCHEMA, OPENIM_API_URL, OPENIM_ADMIN_SECRET,
    OPENIM_ADMIN_USER_ID (it needs no Redis)

Exit codes: 0 done, 1 error (unknown job id, Redis unreachable, an action
failed), 2 bad usage (unknown command or option, bad filter value).`;

/** Help is laid out for 80 columns whatever the terminal, so the README's copy matches it. */
const HELP_WIDTH = 80;

/** What the command line asks for: a help text, a usage error, or a verb with its arguments. */
export type CommandLine =
  | { kind: 'help'; text: string; code: 0 | 2 }
  | { kind: 'usage'; message: string }
  | { kind: 'verb'; command: Command; args: ParsedArgs };

/**
 * A usage error as the tool prints it: one line, naming the command (`[]`
 * the tool, `['jobs']` the group, `['jobs', 'failed']` a verb) and where its
 * help is.
 */
export function usageLine(path: readonly string[], message: string): string {
  const name = [BIN, ...path].join(' ');
  return path.length < 2
    ? `${name}: ${message} (run "${name} --help" for the list)`
    : `${name}: ${message} (see "${name} --help")`;
}

/** Where a program writes its help, and what it reports back from a parse. */
export interface ProgramHooks {
  write(text: string): void;
  /** The verb commander picked, with its parsed command. */
  onVerb?(command: Command, sub: Commander): void;
  /** The command whose arguments commander refused: its path under the tool. */
  onRefused?(path: readonly string[], sub: Commander): void;
}

/**
 * The tool as a commander program: `openim-sync`, its version and the
 * `jobs` group of verbs. Built anew for each run: commander keeps the parsed
 * values on the command objects.
 */
export function createProgram(commands: readonly Command[], hooks: ProgramHooks): Commander {
  const program = new Commander(BIN)
    .usage('<command> [options]')
    .description(DESCRIPTION)
    .version(cliVersion(), '-V, --version', 'the version')
    .helpOption('-h, --help', 'this help')
    .helpCommand('help [command]', "a command's help")
    .addHelpText('after', EPILOG)
    .configureHelp({ subcommandTerm: (sub) => sub.name() })
    .configureOutput(output(hooks))
    .exitOverride();
  const group = new Commander(GROUP)
    .usage('<command> [options]')
    .summary('the callback queue: counts, failed jobs, find, retry, remove, replay, inbox, pause, reconcile')
    .description(JOBS_DESCRIPTION)
    .helpOption('-h, --help', 'this help')
    .helpCommand('help [command]', "a command's help")
    .addHelpText('after', JOBS_EPILOG)
    .configureHelp({ subcommandTerm: (sub) => sub.name() })
    .configureOutput(output(hooks))
    .exitOverride((err) => {
      hooks.onRefused?.([GROUP], group);
      throw err;
    });
  for (const command of commands) group.addCommand(toCommander(command, hooks));
  return program.addCommand(group);
}

/** commander's output settings (a command added with `addCommand` does not inherit them). */
function output(hooks: ProgramHooks): OutputConfiguration {
  return {
    writeOut: hooks.write,
    writeErr: hooks.write,
    // Errors are reworded by parseCommandLine, one line each.
    outputError: () => {},
    getOutHelpWidth: () => HELP_WIDTH,
    getErrHelpWidth: () => HELP_WIDTH,
    getOutHasColors: () => false,
    getErrHasColors: () => false,
  };
}

function toCommander(command: Command, hooks: ProgramHooks): Commander {
  const sub = new Commander(command.name)
    .summary(command.summary)
    .description(command.description)
    .helpOption('-h, --help', 'this help')
    .configureOutput(output(hooks))
    // Operands are checked by parseCommandLine and the verb, in the tool's words.
    .allowExcessArguments();
  if (command.usage) sub.usage(command.usage.join(`\n       ${BIN} ${GROUP} ${command.name} `));
  for (const spec of command.options) {
    const option = new Option(spec.flags, spec.help);
    sub.addOption(spec.group === undefined ? option : option.helpGroup(spec.group));
  }
  if (command.positionals) sub.argument('[ids...]');
  if (command.epilog !== undefined) sub.addHelpText('after', `\n${command.epilog.trimEnd()}`);
  sub.action(() => hooks.onVerb?.(command, sub));
  sub.exitOverride((err) => {
    hooks.onRefused?.([GROUP, command.name], sub);
    throw err;
  });
  return sub;
}

/** Each flag's value under its long name (`dry-run`, not commander's `dryRun`), and the operands. */
function readArgs(sub: Commander): ParsedArgs {
  const values: ParsedArgs['values'] = {};
  for (const option of sub.options) {
    if (option.long !== undefined) values[option.long.slice(2)] = sub.getOptionValue(option.attributeName());
  }
  return { values, positionals: [...sub.args] };
}

/** commander's error messages, in the tool's words. */
function explain(err: CommanderError, sub: Commander | undefined): string {
  const [first = '', hint] = err.message.replace(/^error: /, '').split('\n');
  const quoted = /'([^']+)'/.exec(first)?.[1] ?? '';
  const suggestion = hint ? `, ${hint.replace(/^\(Did you mean (.+)\?\)$/, 'did you mean $1?')}` : '';
  switch (err.code) {
    case 'commander.unknownCommand':
      return `unknown command "${quoted}"${suggestion}`;
    case 'commander.unknownOption': {
      // commander reads `--json=yes` as an unknown option; the flag exists, it just takes no value.
      const flag = quoted.split('=')[0];
      if (quoted.includes('=') && sub?.options.some((option) => option.long === flag)) return `${flag} takes no value`;
      return `unknown option "${quoted}"${suggestion}`;
    }
    case 'commander.optionMissingArgument':
      return `${quoted.split(' ')[0]} needs a value`;
    default:
      return first;
  }
}

/** Parses the arguments after `openim-sync` (help, a usage error, or a verb to prepare); writes nothing. */
export function parseCommandLine(commands: readonly Command[], argv: readonly string[]): CommandLine {
  let help = '';
  let picked: { command: Command; sub: Commander } | undefined;
  let refused: { path: readonly string[]; sub: Commander } | undefined;
  const program = createProgram(commands, {
    write: (text) => {
      help += text;
    },
    onVerb: (command, sub) => {
      picked = { command, sub };
    },
    onRefused: (path, sub) => {
      refused = { path, sub };
    },
  });
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    if (help !== '') return { kind: 'help', text: help, code: err.exitCode === 0 ? 0 : 2 };
    return { kind: 'usage', message: usageLine(refused?.path ?? [], explain(err, refused?.sub)) };
  }
  if (!picked) return { kind: 'help', text: help, code: 2 };
  const args = readArgs(picked.sub);
  const [extra] = args.positionals;
  if (!picked.command.positionals && extra !== undefined) {
    return { kind: 'usage', message: usageLine([GROUP, picked.command.name], `unexpected argument "${extra}"`) };
  }
  return { kind: 'verb', command: picked.command, args };
}
