import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMAND_NAMES, helpOf, MODULE_HELP } from '../../cli/command-line';
import { commandsReference, REFERENCE_WIDTH } from '../../scripts/commands-reference';

const ROOT = join(__dirname, '..', '..');

describe('docs/commands.md', () => {
  const generated = commandsReference();

  it("is what the commands' declarations generate (npm run docs:commands rewrites it)", () => {
    expect(readFileSync(join(ROOT, 'docs', 'commands.md'), 'utf8')).toBe(generated);
  });

  it('has a section per command holding its help as --help prints it, but the module part said once at the end', () => {
    for (const command of COMMAND_NAMES) {
      const section = generated.split(`\n## ${command}\n`)[1]?.split('\n## ')[0] ?? '';
      const help = helpOf(command, REFERENCE_WIDTH);
      expect(help.startsWith(`Usage: rancher-ha-aws ${command} `)).toBe(true);
      expect(section).toContain(help.replace(`\n${MODULE_HELP}\n`, '').trimEnd());
      expect(section).not.toContain(MODULE_HELP);
    }
    expect(generated.split('\n## Finding the module\n')[1]).toContain(MODULE_HELP);
  });
});
