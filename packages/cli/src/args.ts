import { parseArgs } from 'node:util';
import type { Command, OptionSpecs, ParsedArgs } from './command.js';
import type { Parsed } from './duration.js';

/** Every verb takes --help. */
const HELP: OptionSpecs = { help: { type: 'boolean', short: 'h' } };

/**
 * `--limit -1` → `--limit=-1`: a flag that takes a value takes the next
 * argument whatever it looks like (as getopt does), so a bad value gets the
 * flag's own "expected a positive whole number" instead of util.parseArgs's
 * "argument is ambiguous".
 */
function attachValues(tokens: readonly string[], options: OptionSpecs): string[] {
  const joined: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    if (token === '--') {
      joined.push(...tokens.slice(i));
      break;
    }
    const name = token.startsWith('--') && !token.includes('=') ? token.slice(2) : undefined;
    const next = tokens[i + 1];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined) {
      joined.push(`${token}=${next}`);
      i++;
    } else joined.push(token);
  }
  return joined;
}

/** util.parseArgs's messages, in the tool's words. */
function explain(err: Error & { code?: string }): string {
  const quoted = /'([^']+)'/.exec(err.message)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option "${quoted}"`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument "${quoted}"`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return err.message.includes('argument missing')
        ? `${quoted?.replace(' <value>', '')} needs a value`
        : `${quoted} takes no value`;
    default:
      return err.message;
  }
}

/** Parses a verb's arguments (after the verb) against its options, strictly: unknown flags are errors. */
export function parseCommandArgs(command: Command, tokens: readonly string[]): Parsed<ParsedArgs> {
  const options = { ...command.options, ...HELP };
  try {
    const { values, positionals } = parseArgs({
      args: attachValues(tokens, options),
      options,
      strict: true,
      allowPositionals: command.positionals,
    });
    return { ok: true, value: { values: values as ParsedArgs['values'], positionals } };
  } catch (err) {
    return { ok: false, message: explain(err as Error & { code?: string }) };
  }
}
