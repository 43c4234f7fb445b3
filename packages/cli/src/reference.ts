import type { Command as Commander } from 'commander';
import type { Command } from './command.js';
import { BIN, createProgram } from './program.js';

/** The command and every command under it, depth first, with its path (`openim-sync jobs failed`). */
function walk(command: Commander, path: string): Array<[string, Commander]> {
  return [[path, command], ...command.commands.flatMap((sub) => walk(sub, `${path} ${sub.name()}`))];
}

/**
 * The `--help` of the tool, of the `jobs` group and of every verb as one
 * Markdown page: the command reference that packages/cli/COMMANDS.md holds,
 * generated from the same definitions the tool parses with.
 */
export function commandReference(commands: readonly Command[]): string {
  let help = '';
  const program = createProgram(commands, {
    write: (text) => {
      help += text;
    },
  });
  const sections = walk(program, BIN).map(([path, command]) => {
    help = '';
    command.outputHelp();
    return `## \`${path} --help\`\n\n\`\`\`text\n${help.trimEnd()}\n\`\`\`\n`;
  });
  return `# \`${BIN}\` command reference

<!-- Generated from the commander definitions in packages/cli/src/commands:
     pnpm exec vitest run packages/cli/src/reference.test.ts --update -->

${sections.join('\n')}`;
}
