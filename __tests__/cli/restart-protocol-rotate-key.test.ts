import { nextEncryptionStep, type EncryptionView } from '../../cli/rotate/rotate-encryption';
import { encryptionDecision, explore, FIXED_RULES, type Config, type ServerState } from '../helpers/restart-protocol';

// The encryption-key rotation (cli/rotate/rotate-encryption.ts) as an actor of the restart model (helpers/restart-protocol.ts):
// under the restart Lease, rotate-keys once on server-0 (its re-encryption going on by itself, whether the command
// runs or not), then every other server restarted one at a time, each marked out, with a renewal timer and the upgrade
// controller beside it and one fault per interleaving. Then its real decision (nextEncryptionStep) fed every state the
// model reaches, compared with the model's.

const WORLD: Config = {
  servers: 3,
  rules: FIXED_RULES,
  maxFaults: 1,
  rollTarget: 0,
  timers: [2],
  upgradeTarget: 1,
  roll: false,
  rotation: true,
  encryptionKey: true,
};

const OLD = 'aescbckey-2026-01-01T00:00:00Z';
const NEW = 'aescbckey-2026-11-25T20:02:00Z';

describe('restart protocol model: the encryption-key rotation as an actor', () => {
  const fixed = explore(WORLD);

  it('beside a renewal timer and the upgrade controller, one fault: quorum kept, one server out at a time, no restart before reencrypt_finished, every interleaving settles', () => {
    console.log(`restart protocol, the encryption-key rotation: ${fixed.states} states, ${fixed.transitions} transitions explored`);
    expect(fixed.violation).toBeUndefined();
    expect(fixed.stuck).toBe(0);
    const rotation = (s: (typeof fixed.reached)[number]) => s.actors.rotation;
    // Not trivial: both other servers restarted in some interleavings; killed while server-0 re-encrypted in others.
    expect(fixed.reached.some((s) => rotation(s).restarted === 2 && rotation(s).pc === 'done')).toBe(true);
    expect(fixed.reached.some((s) => !rotation(s).alive && rotation(s).reencrypt === 'active')).toBe(true);
    // Server-0 (where rotate-keys ran) is never restarted by the rotation: only the others take the new key.
    expect(fixed.reached.every((s) => (rotation(s).restarted ?? 0) <= 2)).toBe(true);
  });

  it('without its wait for reencrypt_finished it restarts a second server while server-0 re-encrypts', () => {
    const unwaited = explore({ ...WORLD, encryptionUnwaited: true });
    console.log(
      `restart protocol, the encryption-key rotation unwaited: ${unwaited.violation?.problem}:\n  ${unwaited.violation?.trace.join('\n  ')}`,
    );
    expect(unwaited.violation?.problem).toMatch(/server-1 restarted before reencrypt_finished/);
    expect(unwaited.violation?.trace).toEqual(expect.arrayContaining(['rotation: rotate-keys on server-0 (re-encryption under way)']));
  });

  it('nextEncryptionStep decides as the model does on every state it reaches where the rotation chooses its next step', () => {
    // The servers' answers in each reached state: server-0 on the new key once rotate-keys ran (reencrypt_active, then
    // reencrypt_finished), each of the first `restarted` other servers restarted onto it, the others still on the old
    // key at the stage start; a server not serving answers nothing (unknown); the hashes match only when every
    // annotation is the same.
    const views = new Map<string, { servers: readonly ServerState[]; reencrypt: 'active' | 'finished'; restarted: number }>();
    for (const s of fixed.reached) {
      const r = s.actors.rotation;
      if (r.alive && r.pc === 'next' && r.reencrypt)
        views.set(`${s.servers.join()}|${r.reencrypt}|${r.restarted}`, { servers: s.servers, reencrypt: r.reencrypt, restarted: r.restarted ?? 0 });
    }
    const serving = (x: ServerState) => x === 'up' || x === 'killed';
    for (const { servers, reencrypt, restarted } of views.values()) {
      const annotation = (i: number) =>
        i === 0
          ? reencrypt === 'active'
            ? ['reencrypt_active', NEW]
            : ['reencrypt_finished', NEW]
          : i <= restarted
            ? ['reencrypt_finished', NEW]
            : ['start', OLD];
      const hashes = servers.every((_, i) => annotation(i).join() === annotation(0).join())
        ? 'All hashes match'
        : 'hash does not match between ip-10-0-0-10 and ip-10-0-1-10';
      const whole = servers.every(serving);
      const seen: EncryptionView[] = servers.map((state, i) => ({
        name: `server-${i}`,
        status: serving(state)
          ? { enabled: 'yes', stage: annotation(i)[0], active: annotation(i)[1], hashes, clusterHealthy: whole }
          : { enabled: 'unknown', stage: 'unknown', active: 'unknown', hashes: 'unknown', clusterHealthy: false },
        healthy: serving(state) && whole,
      }));
      const model = encryptionDecision(servers, reencrypt, restarted);
      const real = nextEncryptionStep(seen, { server: 'server-0', keyBefore: OLD });
      const expected = model === 'wait' ? 'wait' : model === 'done' ? 'done' : `restart server-${model.restart}`;
      const got = real.kind === 'restart' ? `restart ${real.server}` : real.kind === 'reencrypting' ? 'wait' : real.kind;
      expect([servers, reencrypt, restarted, got]).toEqual([servers, reencrypt, restarted, expected]);
    }
    console.log(`restart protocol conformance, the encryption-key rotation: ${views.size} (servers, stage, restarted) states compared`);
    expect(views.size).toBeGreaterThan(5);
  });
});
