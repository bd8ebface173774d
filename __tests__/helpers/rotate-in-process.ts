import { IoHost } from '../../cli/shared/io/io-host';
import { PlainRenderer } from '../../cli/shared/io/plain-renderer';
import { rotate, type RotateSettings } from '../../cli/rotate/rotate';
import { rotateEncryptionKey } from '../../cli/rotate/rotate-encryption';
import { inProcessAwsOf } from './fake-aws-endpoint/in-process';
import type { FakeCloud } from './fake-cloud';
import { inWorld } from './in-world';

// A rotation driven as a function in jest's process, as cli/main.ts calls it (the RotateEntry's options, on an I/O
// host writing plain lines), against a fake cloud's world: terraform stays the stub process (first on PATH, with
// kubectl's, as the CLI run has them; a rotation starts no kubectl), the restart Lease, the Nodes and the upgrade's
// records and Plan go through the Kubernetes client (cli/shared/kube-api-for.ts) to the world's API in the stub
// server, and AWS is the fake AWS endpoint answering in this process
// (fake-aws-endpoint/in-process.ts), so an in-process rotation and a bundled CLI's see one world logic. A world whose
// stubs signal or kill their caller is refused there; those cases run the bundled CLI.

/** What an in-process rotation returns: its exit code, its plain lines, its host, and the report `--json` prints. */
export interface InProcessRun {
  readonly code: number;
  readonly out: string;
  readonly err: '';
  readonly io: IoHost;
  /** As cli/main.ts onIoHost writes it with --json: the command, the exit code, the host's report. */
  readonly report: Record<string, any>;
}

/**
 * `rotate --dir module <rotation>` of the world, in this process, from the world's folder (where the token file goes
 * by default), with the stubs first on PATH and no poll waits, as FakeCloud.run starts the CLI (in-world.ts).
 */
export async function rotateInProcess(
  c: FakeCloud,
  rotation: RotateSettings['rotation'],
  settings: Partial<Omit<RotateSettings, 'rotation'>> = {},
): Promise<InProcessRun> {
  let out = '';
  const io = new IoHost(new PlainRenderer({ write: (text: string) => (out += text) }));
  const { result: code } = await inWorld(c, {}, async () => {
    const aws = inProcessAwsOf(c);
    try {
      const options = { dir: c.moduleDir, label: c.moduleDir, rotation, interrupted: () => false, ...settings, aws: aws.of, io };
      return await (rotation === 'encryption-key' ? rotateEncryptionKey : rotate)(options);
    } finally {
      io.close();
      aws.close();
    }
  });
  return { code, out, err: '', io, report: { command: 'rotate', rotation, exitCode: code, ...io.report() } };
}

/** `rotate --dir module token` in jest's process, with the command line's settings as main.ts passes them. */
export const rotateTokenIn = (c: FakeCloud, settings: Partial<Omit<RotateSettings, 'rotation'>> = {}) => rotateInProcess(c, 'token', settings);
/** `rotate --dir module encryption-key` in jest's process. */
export const rotateKeyIn = (c: FakeCloud, settings: Partial<Omit<RotateSettings, 'rotation'>> = {}) => rotateInProcess(c, 'encryption-key', settings);
