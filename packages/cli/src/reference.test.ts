import { describe, expect, it } from 'vitest';
import { commands } from './cli.js';
import { commandReference } from './reference.js';

describe('the command reference', () => {
  it('is every --help, as COMMANDS.md has it', async () => {
    const reference = commandReference(commands);
    for (const command of commands)
      expect(reference).toContain(`## \`jobs ${command.name} --help\`\n\n\`\`\`text\nUsage: jobs ${command.name}`);
    // Stale after a change to a command's definition: rerun this file with --update and commit COMMANDS.md.
    await expect(reference).toMatchFileSnapshot('../COMMANDS.md');
  });
});
