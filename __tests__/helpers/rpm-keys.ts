import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBounded } from './subprocess';

/** An OpenPGP public key as a key file holds it (armored), and its primary key's fingerprint. */
export interface RpmKey {
  readonly fingerprint: string;
  readonly armored: string;
}

/**
 * Real throwaway keys (gpg, ed25519, no passphrase) standing for Rancher's RPM signing key and for keys that are not
 * it, made in a folder removed at once: `recorded` has a subkey beside its primary key, as Rancher's key may (a
 * subkey is part of the key, not a second key); `other` is someone else's key; `both` is a file holding the two.
 */
export function rpmKeys(): { recorded: RpmKey; other: RpmKey; both: string } {
  const home = mkdtempSync(join(tmpdir(), 'rpm-keys-'));
  try {
    const gpg = (...args: string[]) => {
      const r = runBounded('gpg', ['--homedir', home, '--batch', '--passphrase', '', ...args]);
      if (r.status !== 0) throw new Error(`gpg ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const key = (uid: string): RpmKey => {
      gpg('--quick-generate-key', uid, 'ed25519', 'sign', 'never');
      const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(gpg('--with-colons', '--list-keys', uid))![1]!;
      return { fingerprint, armored: '' };
    };
    const recorded = key('Rancher (CI) stand-in <ci@example.com>');
    gpg('--quick-add-key', recorded.fingerprint, 'cv25519', 'encr', 'never');
    const other = key('Someone else <else@example.com>');
    const exported = (fingerprint: string) => gpg('--armor', '--export', fingerprint);
    return {
      recorded: { ...recorded, armored: exported(recorded.fingerprint) },
      other: { ...other, armored: exported(other.fingerprint) },
      both: gpg('--armor', '--export', recorded.fingerprint, other.fingerprint),
    };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
