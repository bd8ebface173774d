import { nextTokenStep, type ServerView } from '../../cli/rotate/rotate';
import { explore, FIXED_RULES, rotationDecision, type Config, type ServerState } from '../helpers/restart-protocol';

// The token rotation (cli/rotate/rotate.ts) as an actor of the restart model (helpers/restart-protocol.ts): under the
// restart Lease, its servers restarted one at a time, each marked out, with a renewal timer and the upgrade
// controller beside it and one fault per interleaving (a kill and a rerun, a clock jump, a hung restart, ...). Then
// its real decision (nextTokenStep) fed every state the model reaches, compared with the model's.

const WORLD: Config = { servers: 3, rules: FIXED_RULES, maxFaults: 1, rollTarget: 0, timers: [2], upgradeTarget: 1, roll: false, rotation: true };

describe('restart protocol model: the token rotation as an actor', () => {
  const fixed = explore(WORLD);

  it('beside a renewal timer and the upgrade controller, one fault: quorum kept, one server out at a time, every interleaving settles', () => {
    console.log(`restart protocol, the token rotation: ${fixed.states} states, ${fixed.transitions} transitions explored`);
    expect(fixed.violation).toBeUndefined();
    expect(fixed.stuck).toBe(0);
    // Not trivial: the rotation restarted every server in some interleavings, and was killed and run again in others.
    expect(fixed.reached.some((s) => s.actors.rotation.restarted === 3 && s.actors.rotation.pc === 'done')).toBe(true);
    expect(fixed.reached.some((s) => !s.actors.rotation.alive && s.lease?.out !== null && s.lease?.holder === 'rotation')).toBe(true);
  });

  it('without its checks (every server whole before each restart, no upgrade after its mark) it takes a second server down', () => {
    const unguarded = explore({ ...WORLD, rotationUnguarded: true });
    console.log(`restart protocol, the token rotation unguarded: ${unguarded.violation?.problem}:\n  ${unguarded.violation?.trace.join('\n  ')}`);
    expect(unguarded.violation?.problem).toMatch(/two servers down at once/);
    expect(unguarded.violation?.trace).toEqual(expect.arrayContaining(['rotation restarts server-0 with the new token']));
  });

  it('nextTokenStep decides as the model does on every state it reaches where the rotation chooses its next restart', () => {
    // The servers' answers in each reached state: the new token everywhere (the model's `token` step is done), each
    // of the first `restarted` servers started after its token file, healthy while it serves (a killed server's old
    // pods still serve: its Node Ready, its member answering).
    const views = new Map<string, { servers: readonly ServerState[]; restarted: number }>();
    for (const s of fixed.reached) {
      const r = s.actors.rotation;
      if (r.alive && r.pc === 'next') views.set(`${s.servers.join()}|${r.restarted}`, { servers: s.servers, restarted: r.restarted ?? 0 });
    }
    for (const { servers, restarted } of views.values()) {
      const seen: ServerView[] = servers.map((state, i) => ({
        name: `server-${i}`,
        status: { config: true, server: true, startedAfterConfig: i < restarted, clusterHealthy: servers.every((x) => x === 'up' || x === 'killed') },
        healthy: (state === 'up' || state === 'killed') && servers.every((x) => x === 'up' || x === 'killed'),
      }));
      const model = rotationDecision(servers, restarted);
      const real = nextTokenStep(seen);
      const expected = model === 'wait' ? 'wait' : model === 'done' ? 'done' : `restart server-${model.restart}`;
      expect([servers, restarted, real.kind === 'restart' ? `restart ${real.server}` : real.kind]).toEqual([servers, restarted, expected]);
    }
    console.log(`restart protocol conformance, the token rotation: ${views.size} (servers, restarted) states compared`);
    expect(views.size).toBeGreaterThan(5);
  });
});
