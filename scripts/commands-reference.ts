// docs/commands.md, the operations commands' reference, from their declarations (cli/command-line.ts): the text each
// prints for `--help`, so the page and the command cannot disagree. `npm run docs:commands` writes it;
// __tests__/scripts/commands-reference.test.ts fails when it is stale.
import { COMMAND_NAMES, helpOf, MODULE_HELP } from '../cli/command-line';

/** The page's width for the help: as a terminal 100 columns wide prints it. */
export const REFERENCE_WIDTH = 100;

export function commandsReference(): string {
  const help = (command: string) => helpOf(command, REFERENCE_WIDTH).replace(`\n${MODULE_HELP}\n`, '').trimEnd();
  return [
    '# Operations commands',
    '',
    "<!-- Generated from the commands' declarations (cli/command-line.ts) by `npm run docs:commands`; do not edit by hand: a test compares. -->",
    '',
    'Each command as `--help` prints it. From this repository: `npm run <command> -- <arguments>`; from the installed',
    'package (a pipeline, or an app of your own): `npx rancher-ha-aws <command> <arguments>`. The tasks they serve, with',
    'what success looks like: [teardown](teardown.md), [roll](roll.md), [rotate](rotate.md), [backups](backups.md), [drill](drill.md), [acceptance](acceptance.md).',
    '',
    COMMAND_NAMES.map((c) => `[\`${c}\`](#${c})`).join(' · '),
    '',
    ...COMMAND_NAMES.flatMap((c) => [`## ${c}`, '', '```text', help(c), '```', '']),
    '## Finding the module',
    '',
    'Every command but `acceptance`:',
    '',
    '```text',
    MODULE_HELP,
    '```',
    '',
  ].join('\n');
}
