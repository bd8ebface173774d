/**
 * The rotations' tests (split over files so jest runs them side by side): `rotate <stack> token` and
 * `rotate <stack> encryption-key` against the fake cluster of roll-world.ts with its token (withToken) or its
 * secrets-encryption (withEncryption) modelled, as a function in jest's process (rotate-in-process.ts: rotateTokenIn, rotateKeyIn) or, where the
 * process itself is what a case is about, the bundled CLI (rotateToken, rotateKey).
 */
import type { FakeCloud } from './fake-cloud';
import { holderOf } from './fake-cloud';
import { messagesOf } from './plain-output';

/** The secret part of the deployment's first token (roll-world.ts withToken). */
export const OLD = 'first0secret0of0the0deployment0000000000000000';
export const rotateToken = (c: FakeCloud, ...extra: string[]) => c.run(['rotate', '--dir', 'module', 'token', ...extra]);
export const parameterOf = (world: any) => Object.values(world.parameters as Record<string, any>)[0];
export const secretOf = (token: string) => token.split(':').pop()!;
/** Where the rotation saved the replaced token, as its ROTATE_TOKEN_WRITTEN message names it (the file is its last word). */
export const savedTokenFile = (out: string) => /(\S+)\.$/.exec(messagesOf(out).find((m) => m.code === 'ROTATE_TOKEN_WRITTEN')!.text)![1];

/** Every server on the parameter's token, restarted with it, Ready; the datastore's data under it; the Lease free. */
export function expectRotated(world: any): void {
  const token = parameterOf(world).value;
  expect(secretOf(token)).not.toBe(OLD);
  expect(world.cluster.token).toBe(token);
  for (const s of world.cluster.servers) {
    expect([s.name, s.token]).toEqual([s.name, { config: token, server: token, startedAfterConfig: true }]);
    expect([s.name, s.ready, s.startFailed]).toEqual([s.name, true, undefined]);
  }
  expect(holderOf(world.restartLease)).toBeUndefined();
}

export const rotateKey = (c: FakeCloud, ...extra: string[]) => c.run(['rotate', '--dir', 'module', 'encryption-key', ...extra]);

/** Every server on one key newer than `before`, at reencrypt_finished, Ready; the datastore holding it; the Lease free. */
export function expectKeyRotated(world: any, before: string): void {
  const saved = world.cluster.encryption.saved;
  expect(saved.stage).toBe('reencrypt_finished');
  expect(saved.active).not.toBe(before);
  for (const s of world.cluster.servers) expect([s.name, s.enc, s.ready, s.startFailed]).toEqual([s.name, saved, true, undefined]);
  expect(holderOf(world.restartLease)).toBeUndefined();
}
