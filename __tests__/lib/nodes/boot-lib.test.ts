import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const BOOT_LIB = join(__dirname, '../../../lib/nodes/boot-lib.sh');

/**
 * Runs a boot-lib function in a real bash with `curl` and `sleep` replaced:
 * `curl` answers "pong" only for the addresses in LIVE, `sleep` only counts.
 */
function run(call: string, env: Record<string, string>) {
  const script = [
    'set -euo pipefail',
    `. ${JSON.stringify(BOOT_LIB)}`,
    'SLEPT=0',
    'curl() { local url="${*: -1}"; for live in $LIVE; do if [[ "$url" == "https://$live:"* ]]; then echo pong; return 0; fi; done; return 7; }',
    'sleep() { SLEPT=$((SLEPT + $1)); }',
    `if out=$(${call}); then echo "ok:$out"; else echo "failed:$out"; fi`,
  ].join('\n');
  const result = spawnSync('bash', ['-c', script], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  return { stdout: result.stdout.trim(), stderr: result.stderr };
}

describe('boot-lib.sh find_peer (run in bash with a stubbed curl)', () => {
  const peers = { PEER_IPS: '10.0.16.10 10.0.32.10' };

  it('on the init node with no live peer returns at once with no peer: start a new cluster', () => {
    expect(run('find_peer 9345', { ...peers, NODE_ROLE: 'init', LIVE: '' }).stdout).toBe('ok:');
  });

  it('on the init node with a live peer returns that peer: a replaced first server joins instead of starting a second cluster', () => {
    expect(run('find_peer 9345', { ...peers, NODE_ROLE: 'init', LIVE: '10.0.32.10' }).stdout).toBe('ok:10.0.32.10');
  });

  it('on a joining node returns the first live peer', () => {
    expect(run('find_peer 6443', { ...peers, NODE_ROLE: 'join', LIVE: '10.0.16.10 10.0.32.10' }).stdout).toBe('ok:10.0.16.10');
  });

  it('on a joining node with no live peer gives up after 30 minutes of waiting, never starting a cluster', () => {
    const result = run('find_peer 9345', { ...peers, NODE_ROLE: 'join', LIVE: '' });
    expect(result.stdout).toBe('failed:');
    // The stubbed sleep returns at once, so this is the 1800 s budget counted, not waited.
    expect(result.stderr).toContain('no server answered on 10.0.16.10 10.0.32.10');
  });

  it('with no peers at all (a single-node install) the init node starts alone', () => {
    expect(run('find_peer 9345', { PEER_IPS: '', NODE_ROLE: 'init', LIVE: '' }).stdout).toBe('ok:');
  });
});

describe('boot-lib.sh guard_init (run in bash with a stubbed ssm_get)', () => {
  const guard = (role: string, marker: boolean) =>
    run(`{ ssm_get() { [ "$1" = cluster-initialized ] && ${marker ? 'echo true' : 'return 1'}; }; guard_init; echo "$NODE_ROLE"; }`, { NODE_ROLE: role, PEER_IPS: '', LIVE: '' });

  it('turns a booting init node into a joining one once Terraform marked the cluster initialized', () => {
    expect(guard('init', true).stdout).toBe('ok:join');
  });

  it('leaves the first boot of the init node alone (no marker yet)', () => {
    expect(guard('init', false).stdout).toBe('ok:init');
  });

  it('never changes a joining node', () => {
    expect(guard('join', false).stdout).toBe('ok:join');
  });
});
