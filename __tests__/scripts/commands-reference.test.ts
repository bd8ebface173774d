import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMAND_HELP, commandHelp, USAGE } from '../../cli/help';
import { FLAGS, WITH_VALUE } from '../../cli/main';
import { commandsReference } from '../../scripts/commands-reference';

const ROOT = join(__dirname, '..', '..');

describe('docs/commands.md', () => {
  const generated = commandsReference();

  it("is what the commands' help generates (npm run docs:commands rewrites it)", () => {
    expect(readFileSync(join(ROOT, 'docs', 'commands.md'), 'utf8')).toBe(generated);
  });

  it('has a section per command holding its usage line and every option its help names', () => {
    for (const command of Object.keys(COMMAND_HELP)) {
      const section = generated.split(`\n## ${command}\n`)[1]?.split('\n## ')[0] ?? '';
      expect(section).toContain(`Usage: rancher-ha-aws ${command} `);
      for (const option of COMMAND_HELP[command].match(/--[a-z-]+/g) ?? []) expect(section).toContain(option);
      expect(commandHelp(command)).toContain(COMMAND_HELP[command]);
    }
  });
});

describe("the commands' help", () => {
  it('names every option the command line accepts', () => {
    const accepted = [...FLAGS, ...WITH_VALUE].filter((option) => option !== '--help');
    expect(accepted.filter((option) => !new RegExp(`${option}(?![a-z-])`).test(USAGE))).toEqual([]);
  });
});
