import { parseCommandLine } from '../../cli/command-line';
import { roll as rollCommand } from '../../cli/roll/roll';
import { IoHost } from '../../cli/shared/io/io-host';
import { PlainRenderer } from '../../cli/shared/io/plain-renderer';
import type { FakeCloud } from './fake-cloud';
import { inProcessAwsOf } from './fake-aws-endpoint/in-process';
import { inWorld } from './in-world';

/**
 * `rancher-ha-aws roll --dir module <extra>` of a fake cloud (roll-world.ts), driven as a function in this process:
 * the words read by the CLI's own declaration (cli/command-line.ts), the options handed to the roll as cli/main.ts's
 * runRoll hands them, its messages as plain lines (cli/shared/io/plain-renderer.ts, what CI shows). Terraform and
 * kubectl are the world's stubs, first on PATH as for a CLI run (kubectl drain stays a process in the product); SSM
 * and RDS go through the SDK clients to the fake AWS endpoint answering in this process, which hands them to the same
 * stubs (fake-aws-endpoint/in-process.ts); the Leases, the Nodes (listed, cordoned, deleted), the node-password Secret
 * and the upgrade's records and Plan through the Kubernetes client to the stub server's API, on the kubeconfig the
 * state carries. What the process adds (requireTools, the signal
 * handlers, the renderer chosen from the terminal and CI, --json's report, a failure as one line on standard error)
 * is the bundled CLI's, run by the process cases: a failure thrown here fails the test.
 */
export async function roll(c: FakeCloud, ...extra: string[]): Promise<{ code: number; out: string; err: ''; io: IoHost }> {
  const parsed = parseCommandLine(['roll', '--dir', c.moduleDir, ...extra]);
  if (!('run' in parsed)) throw new Error(`roll ${extra.join(' ')}: not a roll command line (${JSON.stringify(parsed)})`);
  const o = parsed.run.options;
  let out = '';
  const io = new IoHost(new PlainRenderer({ write: (text: string) => (out += text) }));
  const { result: code } = await inWorld(c, {}, async () => {
    const aws = inProcessAwsOf(c);
    try {
      return await rollCommand({
        dir: c.moduleDir,
        label: c.moduleDir,
        deployment: o.deployment,
        all: o.all === true,
        server: o.server,
        newImage: o.newImage === true,
        dryRun: o.dryRun === true,
        waitMinutes: o.waitMinutes,
        takeOver: o.takeOver === true,
        aws: aws.of,
        io,
      });
    } finally {
      io.close();
      aws.close();
    }
  });
  return { code, out, err: '', io };
}
