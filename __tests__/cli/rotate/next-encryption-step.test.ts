import { HASHES_MATCH, nextEncryptionStep, type EncryptionStatus, type EncryptionView } from '../../../cli/rotate/rotate-encryption';

// nextEncryptionStep on the states rotate-encryption.sh `status` reports (`rke2 secrets-encrypt status`, k3s
// pkg/server/handlers/secrets-encrypt.go; docs/design-notes.md "Rotate"): rotate-keys adds a key, re-encrypts every
// Secret (reencrypt_active) and saves the configuration only at reencrypt_finished; the other servers take it at their
// next start.

const OLD = 'aescbckey-2026-01-01T00:00:00Z';
const NEW = 'aescbckey-2026-11-25T20:02:00Z';
const RECORD = { server: 'server-0', keyBefore: OLD };

function view(name: string, status: Partial<EncryptionStatus> = {}, healthy = true): EncryptionView {
  return {
    name,
    healthy,
    status: { enabled: 'yes', stage: 'start', active: OLD, hashes: HASHES_MATCH, clusterHealthy: healthy, ...status },
  };
}

/** Three servers before rotate-keys: enabled, at `start`, the old key active and every hash matching. */
const before = (...changed: readonly EncryptionView[]): EncryptionView[] =>
  ['server-0', 'server-1', 'server-2'].map((name) => changed.find((v) => v.name === name) ?? view(name));

describe('nextEncryptionStep', () => {
  it('runs rotate-keys on the recorded server once every server is healthy, at start, with the old key and matching hashes', () => {
    expect(nextEncryptionStep(before(), RECORD)).toEqual({ kind: 'rotate', server: 'server-0' });
  });

  it('runs rotate-keys again from reencrypt_finished, where the previous rotation left the stage', () => {
    const views = ['server-0', 'server-1'].map((name) => view(name, { stage: 'reencrypt_finished' }));
    expect(nextEncryptionStep(views, RECORD)).toEqual({ kind: 'rotate', server: 'server-0' });
  });

  it('refuses when the server the rotation started on is no longer a server of the deployment', () => {
    expect(nextEncryptionStep(before(), { server: 'server-9', keyBefore: OLD })).toEqual({
      kind: 'refuse',
      reason: 'server-9, which the rotation started on, is no longer a server of the deployment',
    });
  });

  it('reads the recorded server, not the first listed, for the key and the stage', () => {
    const views = [view('server-0'), view('server-1', { active: NEW, stage: 'reencrypt_finished' }), view('server-2', { active: NEW })];
    expect(nextEncryptionStep(views, { server: 'server-1', keyBefore: OLD })).toEqual({ kind: 'restart', server: 'server-0' });
  });

  it('waits while the recorded server re-encrypts (reencrypt_active), before the new key is its active one, even with a server unhealthy', () => {
    const views = before(view('server-0', { stage: 'reencrypt_active' }), view('server-2', {}, false));
    expect(nextEncryptionStep(views, RECORD)).toEqual({ kind: 'reencrypting', server: 'server-0' });
  });

  it('waits while the recorded server has the new key active short of reencrypt_finished, restarting no server still on the old key', () => {
    const views = before(view('server-0', { active: NEW, stage: 'rotate' }));
    expect(nextEncryptionStep(views, RECORD)).toEqual({ kind: 'reencrypting', server: 'server-0' });
  });

  it('waits for health, not for re-encryption, when the new key is in the configuration of a server whose supervisor is down', () => {
    const views = before(view('server-0', { active: NEW, stage: 'rotate', enabled: 'unknown' }, false));
    expect(nextEncryptionStep(views, RECORD)).toEqual({ kind: 'wait', unhealthy: ['server-0'] });
  });

  it('waits for every unhealthy server before rotate-keys', () => {
    const views = before(view('server-1', {}, false), view('server-2', {}, false));
    expect(nextEncryptionStep(views, RECORD)).toEqual({ kind: 'wait', unhealthy: ['server-1', 'server-2'] });
  });

  it('refuses rotate-keys from a stage upstream refuses it from (prepare, left by an earlier rotation)', () => {
    expect(nextEncryptionStep(before(view('server-0', { stage: 'prepare' })), RECORD)).toEqual({
      kind: 'refuse',
      reason: 'server-0 is at the stage prepare; rotate-keys starts only from start or reencrypt_finished',
    });
  });

  it('refuses rotate-keys while one server reports its encryption hash differs, naming it and every server', () => {
    const hashes = 'hash does not match between server-0 and server-2';
    expect(nextEncryptionStep(before(view('server-2', { hashes })), RECORD)).toEqual({
      kind: 'refuse',
      reason: `the servers' encryption hashes do not match (${hashes}: server-0 ${OLD} (start), server-1 ${OLD} (start), server-2 ${OLD} (start))`,
    });
  });

  it('refuses rotate-keys while another server has a different active key, its hashes matching', () => {
    expect(nextEncryptionStep(before(view('server-1', { active: NEW })), RECORD)).toEqual({
      kind: 'refuse',
      reason: `the servers' encryption hashes do not match (active keys differ: server-0 ${OLD} (start), server-1 ${NEW} (start), server-2 ${OLD} (start))`,
    });
  });

  it('restarts the first server still on the old key once the recorded server is at reencrypt_finished', () => {
    const views = before(view('server-0', { active: NEW, stage: 'reencrypt_finished' }));
    expect(nextEncryptionStep(views, RECORD)).toEqual({ kind: 'restart', server: 'server-1' });
  });

  it('restarts nothing while a server is unhealthy after the re-encryption', () => {
    const views = before(view('server-0', { active: NEW, stage: 'reencrypt_finished' }), view('server-1', { active: NEW }, false));
    expect(nextEncryptionStep(views, RECORD)).toEqual({ kind: 'wait', unhealthy: ['server-1'] });
  });

  it('is done when every server shows the new key and every hash matches', () => {
    const views = ['server-0', 'server-1', 'server-2'].map((name) => view(name, { active: NEW, stage: 'reencrypt_finished' }));
    expect(nextEncryptionStep(views, RECORD)).toEqual({ kind: 'done' });
  });

  it('refuses to call it done when every server shows the new key yet one reports a hash mismatch', () => {
    const hashes = 'hash does not match between server-1 and server-2';
    const views = [
      view('server-0', { active: NEW, stage: 'reencrypt_finished' }),
      view('server-1', { active: NEW, stage: 'reencrypt_finished', hashes }),
      view('server-2', { active: NEW, stage: 'reencrypt_finished' }),
    ];
    expect(nextEncryptionStep(views, RECORD)).toEqual({
      kind: 'refuse',
      reason: `every server shows the new key, yet server-1 reports "${hashes}" (server-0 ${NEW} (reencrypt_finished), server-1 ${NEW} (reencrypt_finished), server-2 ${NEW} (reencrypt_finished))`,
    });
  });
});
