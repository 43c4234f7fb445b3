import { describe, expect, it } from 'vitest';
import { commands } from './cli.js';
import { commandReference } from './reference.js';

describe('the command reference', () => {
  it('is every --help, as COMMANDS.md has it', async () => {
    const reference = commandReference(commands);
    for (const command of commands)
      expect(reference).toContain(
        `## \`openim-sync jobs ${command.name} --help\`\n\n\`\`\`text\nUsage: openim-sync jobs ${command.name}`,
      );
    expect(reference).toContain('## `openim-sync --help`\n\n```text\nUsage: openim-sync <command>');
    // Stale after a change to a command's definition: rerun this file with --update and commit COMMANDS.md.
    await expect(reference).toMatchFileSnapshot('../COMMANDS.md');
  });
});
