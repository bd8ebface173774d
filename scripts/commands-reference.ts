// docs/commands.md, the operations commands' reference, from their own help (cli/help.ts): the text each prints for
// `--help`, so the page and the command cannot disagree. `npm run docs:commands` writes it;
// __tests__/scripts/commands-reference.test.ts fails when it is stale.
import { COMMAND_HELP, commandHelp, MODULE_HELP } from '../cli/help';

export function commandsReference(): string {
  const commands = Object.keys(COMMAND_HELP);
  return [
    '# Operations commands',
    '',
    "<!-- Generated from the commands' help (cli/help.ts) by `npm run docs:commands`; do not edit by hand: a test compares. -->",
    '',
    'Each command as `--help` prints it. From this repository: `npm run <command> -- <arguments>`; from the installed',
    'package (a pipeline, or an app of your own): `npx rancher-ha-aws <command> <arguments>`. The tasks they serve, with',
    'what success looks like: [teardown](teardown.md), [roll](roll.md), [rotate](rotate.md), [backups](backups.md), [drill](drill.md), [acceptance](acceptance.md).',
    '',
    commands.map((c) => `[\`${c}\`](#${c})`).join(' · '),
    '',
    ...commands.flatMap((c) => [`## ${c}`, '', '```text', commandHelp(c).replace(`\n\n${MODULE_HELP}`, ''), '```', '']),
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
