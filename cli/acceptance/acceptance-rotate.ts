import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Interrupted } from '../shared/poll';
import { StepFailed } from '../shared/throwaway';
import type { IoHost } from '../shared/io/io-host';
import { toldDuring } from './acceptance-progress';
import type { AcceptanceCommands } from './acceptance-run';

/** What the acceptance run's `rotate` phase needs of the run. */
export interface RotatePhaseOptions {
  /** The run's module folder. */
  readonly dir: string;
  readonly label: string;
  /** The run's folder: the replaced token is saved there while the phase runs, then removed. */
  readonly runDir: string;
  /** The server the roll replaces afterwards. */
  readonly server: string;
  readonly interrupted: () => boolean;
  /** The rotate and roll commands, run as a person runs them. */
  readonly commands: Pick<AcceptanceCommands, 'roll' | 'rotate' | 'rotateEncryptionKey'>;
  /** The run's host: each command tells through it (its spans inside the phase's). */
  readonly io: IoHost;
  readonly evidence: (line: string) => void;
}

/**
 * The acceptance run's optional `rotate` phase (docs/acceptance.md): the cluster token rotated, then the
 * secrets-encryption key, each by the rotate command as a person runs it, then one server rolled, which must
 * join with the new token read from the token parameter: the proof that a rotation leaves later joins working.
 */
export async function rotatePhase(o: RotatePhaseOptions): Promise<void> {
  const { roll, rotate, rotateEncryptionKey } = o.commands;
  // The replaced token is a secret: in the run's folder (its owner only) while the phase runs, never after it.
  const tokenFile = join(o.runDir, 'join-token-before-rotation');
  try {
    const { io } = o;
    await step(o, 'rotate token', () => rotate({ dir: o.dir, label: o.label, rotation: 'token', tokenFile, interrupted: o.interrupted, io }));
    // An acceptance run's rke-ha is RKE2 (its settings refuse K3s), which encrypts Secrets with a key of its own.
    await step(o, 'rotate encryption-key', () =>
      rotateEncryptionKey({ dir: o.dir, label: o.label, rotation: 'encryption-key', interrupted: o.interrupted, io }),
    );
    await step(o, `roll --server ${o.server}`, () => roll({ dir: o.dir, label: o.label, server: o.server, interrupted: o.interrupted, io }));
    o.evidence(`${o.server} replaced after the rotations: it joined with the new token from the token parameter, Ready and an etcd voter`);
  } finally {
    rmSync(tokenFile, { force: true });
  }
}

/** One command of the phase: its exit code and last messages in the evidence; anything but 0 fails the phase. */
async function step(o: RotatePhaseOptions, what: string, command: () => Promise<number>): Promise<void> {
  const { code, texts: lines } = await toldDuring(o.io, command);
  if (o.interrupted()) throw new Interrupted();
  o.evidence(`rancher-ha-aws ${what}: exit ${code}`);
  for (const line of lines.filter((l) => /finished|Ready|voter|rotate-keys|token rotate/i.test(l)).slice(-3)) o.evidence(line.trim());
  if (code !== 0) throw new StepFailed(`${what} ended with exit ${code}: ${lines[lines.length - 1] ?? ''}`);
}
