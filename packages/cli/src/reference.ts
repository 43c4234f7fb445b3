import type { Command } from './command.js';
import { createProgram } from './program.js';

/**
 * The `--help` of the tool and of every verb as one Markdown page: the
 * command reference that packages/cli/COMMANDS.md holds, generated from the
 * same definitions the tool parses with.
 */
export function commandReference(commands: readonly Command[]): string {
  let help = '';
  const program = createProgram(commands, {
    write: (text) => {
      help += text;
    },
  });
  const sections = [program, ...program.commands].map((command) => {
    help = '';
    command.outputHelp();
    const title = command === program ? 'jobs --help' : `jobs ${command.name()} --help`;
    return `## \`${title}\`\n\n\`\`\`text\n${help.trimEnd()}\n\`\`\`\n`;
  });
  return `# \`jobs\` command reference

<!-- Generated from the commander definitions in packages/cli/src/commands:
     pnpm exec vitest run packages/cli/src/reference.test.ts --update -->

${sections.join('\n')}`;
}
