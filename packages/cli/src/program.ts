import { Command as Commander, CommanderError, Option, type OutputConfiguration } from 'commander';
import type { Command, ParsedArgs } from './command.js';

const DESCRIPTION = `Inspects and operates the OpenIM callback queue: counts, failed jobs,
redrive, removal, replay, the inbox's rejected entries, pause and resume;
reconciles group membership with OpenIM's REST API.`;

const EPILOG = `
Run "jobs <command> --help" for a command's options and examples.

Environment (the same as the ingress and the worker):
  REDIS_URL     Redis holding the queue (default redis://127.0.0.1:6379)
  QUEUE_NAME    BullMQ queue name (default openim-callbacks)
  QUEUE_PREFIX  BullMQ key prefix (default bull)
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

/** A usage error as the tool prints it: one line, naming the verb and where its help is. */
export function usageLine(verb: string | undefined, message: string): string {
  return verb === undefined
    ? `jobs: ${message} (run "jobs --help" for the list)`
    : `jobs ${verb}: ${message} (see "jobs ${verb} --help")`;
}

/** Where a program writes its help, and what it reports back from a parse. */
export interface ProgramHooks {
  write(text: string): void;
  /** The verb commander picked, with its parsed command. */
  onVerb?(command: Command, sub: Commander): void;
  /** The verb whose arguments commander refused. */
  onRefused?(command: Command, sub: Commander): void;
}

/**
 * The tool as a commander program. Built anew for each run: commander keeps
 * the parsed values on the command objects.
 */
export function createProgram(commands: readonly Command[], hooks: ProgramHooks): Commander {
  const program = new Commander('jobs')
    .usage('<command> [options]')
    .description(DESCRIPTION)
    .helpOption('-h, --help', 'this help')
    .helpCommand('help [command]', "a command's help")
    .addHelpText('after', EPILOG)
    .configureHelp({ subcommandTerm: (sub) => sub.name() })
    .configureOutput(output(hooks))
    .exitOverride();
  for (const command of commands) program.addCommand(toCommander(command, hooks));
  return program;
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
  if (command.usage) sub.usage(command.usage.join(`\n       jobs ${command.name} `));
  for (const spec of command.options) {
    const option = new Option(spec.flags, spec.help);
    sub.addOption(spec.group === undefined ? option : option.helpGroup(spec.group));
  }
  if (command.positionals) sub.argument('[ids...]');
  if (command.epilog !== undefined) sub.addHelpText('after', `\n${command.epilog.trimEnd()}`);
  sub.action(() => hooks.onVerb?.(command, sub));
  sub.exitOverride((err) => {
    hooks.onRefused?.(command, sub);
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

/** Parses the arguments after `jobs` (help, a usage error, or a verb to prepare); writes nothing. */
export function parseCommandLine(commands: readonly Command[], argv: readonly string[]): CommandLine {
  let help = '';
  let picked: { command: Command; sub: Commander } | undefined;
  let refused: { command: Command; sub: Commander } | undefined;
  const program = createProgram(commands, {
    write: (text) => {
      help += text;
    },
    onVerb: (command, sub) => {
      picked = { command, sub };
    },
    onRefused: (command, sub) => {
      refused = { command, sub };
    },
  });
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    if (help !== '') return { kind: 'help', text: help, code: err.exitCode === 0 ? 0 : 2 };
    return { kind: 'usage', message: usageLine(refused?.command.name, explain(err, refused?.sub)) };
  }
  if (!picked) return { kind: 'help', text: help, code: 2 };
  const args = readArgs(picked.sub);
  const [extra] = args.positionals;
  if (!picked.command.positionals && extra !== undefined) {
    return { kind: 'usage', message: usageLine(picked.command.name, `unexpected argument "${extra}"`) };
  }
  return { kind: 'verb', command: picked.command, args };
}
