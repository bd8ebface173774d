import { acceptance } from '../../cli/acceptance/acceptance';
import { parseCommandLine } from '../../cli/command-line';
import { acceptanceOptions } from '../../cli/main';
import { IoHost } from '../../cli/shared/io/io-host';
import { PlainRenderer } from '../../cli/shared/io/plain-renderer';
import { REGION, SYNTH } from './acceptance-world';
import { inProcessAwsOf } from './fake-aws-endpoint/in-process';
import type { FakeCloud } from './fake-cloud';
import { inWorld } from './in-world';

/**
 * `npm run acceptance -- <args>` of a fake cloud (acceptance-world.ts), driven as a function in this process: the
 * words read by the CLI's own declaration (cli/command-line.ts) into the options cli/main.ts gives the run
 * (acceptanceOptions), its messages as plain lines (what CI shows). Terraform, kubectl and curl are the world's
 * stubs, first on PATH as for a CLI run, and the synth the world's (fake-acceptance-synth.js, a process as in the
 * product); AWS goes through the SDK clients to the fake AWS endpoint answering in this process, for the run and
 * for the commands it runs (the roll, the drill, the teardown...), which hands the world's calls to the same stubs
 * (fake-aws-endpoint/in-process.ts). A world whose stubs signal or kill their caller is refused there: those cases,
 * the terminal's and the refusals of the command line run the bundled CLI (`accept`), as a person runs it.
 *
 * As a CLI run's: `out` holds the plain lines, or with `--json` the run's JSON (and `err` the lines). The run must
 * leave nothing of its own in this process's environment (its Terraform variables hold the migration's CA key).
 */
export async function acceptInProcess(c: FakeCloud, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const parsed = parseCommandLine(['acceptance', ...args]);
  if (!('run' in parsed)) throw new Error(`acceptance ${args.join(' ')}: not a run of the command (${JSON.stringify(parsed)})`);
  const line = parsed.run;
  let lines = '';
  const io = new IoHost(new PlainRenderer({ write: (text: string) => (lines += text) }));
  const { result: code, leftInEnvironment } = await inWorld(c, { RANCHER_HA_AWS_SYNTH: SYNTH }, async () => {
    const aws = inProcessAwsOf(c);
    try {
      return await acceptance(acceptanceOptions(line, { io, aws: aws.of }));
    } finally {
      io.close();
      aws.close();
    }
  });
  if (Object.keys(leftInEnvironment).length > 0)
    throw new Error(`The acceptance run left its variables in the environment: ${Object.keys(leftInEnvironment).join(', ')}`);
  if (line.options.json !== true) return { code, out: lines, err: '' };
  return { code, out: `${JSON.stringify({ command: 'acceptance', exitCode: code, ...io.report() }, null, 2)}\n`, err: lines };
}

/** An rke-ha run as `accept` gives it (acceptance-world.ts), in this process. */
export const acceptRkeHa = (c: FakeCloud, ...extra: string[]) =>
  acceptInProcess(c, 'rke-ha', '--region', REGION, '--yes', '--wait-minutes', '1', ...extra);
