import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBounded } from './subprocess';

/** An OpenPGP public key as a key file holds it (armored), and its primary key's fingerprint. */
export interface RpmKey {
  readonly fingerprint: string;
  readonly armored: string;
}

/** OpenPGP packets of a binary key (RFC 4880 section 4.2: old and new packet headers), each as its tag and its bytes. */
function packets(data: Buffer): { tag: number; bytes: Buffer }[] {
  const out: { tag: number; bytes: Buffer }[] = [];
  for (let i = 0; i < data.length;) {
    const ctb = data[i]!;
    let tag: number;
    let header: number;
    let length: number;
    if (ctb & 0x40) {
      tag = ctb & 0x3f;
      const first = data[i + 1]!;
      if (first < 192) [header, length] = [2, first];
      else if (first < 224) [header, length] = [3, ((first - 192) << 8) + data[i + 2]! + 192];
      else [header, length] = [6, data.readUInt32BE(i + 2)];
    } else {
      tag = (ctb >> 2) & 0xf;
      const type = ctb & 3;
      [header, length] = type === 0 ? [2, data[i + 1]!] : type === 1 ? [3, data.readUInt16BE(i + 1)] : [5, data.readUInt32BE(i + 1)];
    }
    out.push({ tag, bytes: data.subarray(i, i + header + length) });
    i += header + length;
  }
  return out;
}

/** ASCII armor of a public key block (RFC 4880 section 6: base64 and its CRC-24). */
function armor(data: Buffer): string {
  let crc = 0xb704ce;
  for (const byte of data) {
    crc ^= byte << 16;
    for (let bit = 0; bit < 8; bit++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  const sum = Buffer.from([(crc >> 16) & 0xff, (crc >> 8) & 0xff, crc & 0xff]).toString('base64');
  const lines = data.toString('base64').match(/.{1,64}/g)!;
  return ['-----BEGIN PGP PUBLIC KEY BLOCK-----', '', ...lines, `=${sum}`, '-----END PGP PUBLIC KEY BLOCK-----', ''].join('\n');
}

/**
 * Real throwaway keys (gpg, ed25519, no passphrase) standing for Rancher's RPM signing key and for keys that are not
 * it, made in a folder removed at once: `recorded` has a subkey beside its primary key, as Rancher's key may (a
 * subkey is part of the key, not a second key); `other` is someone else's key; `both` is a file holding the two;
 * `grafted` is the recorded primary key with a subkey of `other` appended (its binding signature made by `other`, so
 * it is no subkey of the recorded key: gpg drops it on import).
 */
export function rpmKeys(): { recorded: RpmKey; other: RpmKey; both: string; grafted: string } {
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
    gpg('--quick-add-key', other.fingerprint, 'ed25519', 'sign', 'never');
    const exported = (fingerprint: string) => gpg('--armor', '--export', fingerprint);
    const binary = (fingerprint: string) => {
      const file = join(home, `${fingerprint}.gpg`);
      gpg('--output', file, '--export', fingerprint);
      return packets(readFileSync(file));
    };
    // The recorded key up to its own subkey (primary key, user id, self-signature), then the other key's subkey and
    // its binding signature.
    const mine = binary(recorded.fingerprint);
    const own = mine.slice(
      0,
      mine.findIndex((p) => p.tag === 14),
    );
    const theirs = binary(other.fingerprint);
    const subkey = theirs.findIndex((p) => p.tag === 14);
    return {
      recorded: { ...recorded, armored: exported(recorded.fingerprint) },
      other: { ...other, armored: exported(other.fingerprint) },
      both: gpg('--armor', '--export', recorded.fingerprint, other.fingerprint),
      grafted: armor(Buffer.concat([...own, theirs[subkey]!, theirs[subkey + 1]!].map((p) => p.bytes))),
    };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
