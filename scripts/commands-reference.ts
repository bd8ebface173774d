// docs/commands.md, the operations commands' reference, from their declarations (cli/command-line.ts): the text each
// prints for `--help`, so the page and the command cannot disagree. `npm run docs:commands` writes it;
// __tests__/scripts/commands-reference.test.ts fails when it is stale.
import { COMMAND_NAMES, helpOf, MODULE_HELP } from '../cli/command-line';
import { FAILURE_KINDS } from '../cli/shared/io/failure';

/** The page's width for the help: as a terminal 100 columns wide prints it. */
export const REFERENCE_WIDTH = 100;

/** The group of options every command but acceptance shares: the page's last part (MODULE_HELP) says what each does. */
const SHARED_GROUP = '\nFinding the module:\n';

/** A command's help as the page shows it: without the shared group, the module text and commander's own -h line. */
function pageHelp(command: string): string {
  const help = helpOf(command, REFERENCE_WIDTH).replace(`\n${MODULE_HELP}\n`, '');
  const shared = help.indexOf(SHARED_GROUP);
  return (shared === -1 ? help : help.slice(0, shared)).replace(/^ {2}-h, --help .*\n/m, '').trimEnd();
}

/** The failure kinds that exit with this code, as the page lists them. */
const kindsExiting = (exit: 1 | 2) =>
  Object.entries(FAILURE_KINDS)
    .filter(([, code]) => code === exit)
    .map(([kind]) => `\`${kind}\``)
    .join(', ');

export function commandsReference(): string {
  return [
    '# Operations commands',
    '',
    "<!-- Generated from the commands' declarations (cli/command-line.ts) by `npm run docs:commands`; do not edit by hand: a test compares. -->",
    '',
    "Each command's `--help` (shared options at the end): `npm run <command> -- <arguments>` here,",
    '`npx rancher-ha-aws <command> <arguments>` from the installed package (`--version`: which one).',
    '',
    COMMAND_NAMES.map((c) => `[\`${c}\`](#${c})`).join(' · '),
    '',
    ...COMMAND_NAMES.flatMap((c) => [`## ${c}`, '', '```text', pageHelp(c), '```', '']),
    '## Finding the module',
    '',
    'Every command but `acceptance`:',
    '',
    '```text',
    MODULE_HELP,
    '```',
    '',
    '## Exit codes',
    '',
    '0 done; 2 a command-line mistake, or refused (nothing changed); 1 failed; 3 (roll, rotate) Lease held; 130',
    'interrupted. Under `--json` a failure is one error message, a refusal coded its own way, else',
    '`<COMMAND>_<KIND>` (`CLI_` unnamed): ' + ([2, 1] as const).map((exit) => `exit ${exit} ${kindsExiting(exit)}`).join('; ') + '.',
    '',
  ].join('\n');
}
