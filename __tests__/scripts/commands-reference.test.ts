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

  it('has a section per command holding its help as --help prints it, but for -h and the options every command shares, said once at the end', () => {
    for (const command of COMMAND_NAMES) {
      const section = generated.split(`\n## ${command}\n`)[1]?.split('\n## ')[0] ?? '';
      const help = helpOf(command, REFERENCE_WIDTH);
      expect(help.startsWith(`Usage: rancher-ha-aws ${command} `)).toBe(true);
      // Every line of its own options, as --help prints them, in the same order.
      const own = help
        .replace(`\n${MODULE_HELP}\n`, '')
        .split('\nFinding the module:\n')[0]
        .replace(/^ {2}-h, --help .*\n/m, '')
        .trimEnd();
      expect(section).toContain(own);
      expect(section).not.toContain(MODULE_HELP);
      expect(section).not.toContain('Finding the module:');
      // What the page leaves out of the section is only the shared group (each option of it said at the end).
      for (const option of ['--dir', '--deployment', '--terraform-binary'])
        if (help.includes('Finding the module:')) expect(generated.split('\n## Finding the module\n')[1]).toContain(option);
    }
    expect(generated.split('\n## Finding the module\n')[1]).toContain(MODULE_HELP);
  });
});
