import { readFileSync, statSync } from 'node:fs';
import { NodeSandbox } from '../../helpers/node-sandbox';

// cli/rotate/rotate-token.sh, as `rotate <stack> token` sends it through SSM, run in a real bash on the server sandbox
// (NodeSandbox: boot-lib.sh and cluster-lib.sh as the servers get them, SSM's GetParameter, systemctl and rke2 stubs).
// What the fake cloud's servers answer for it (fake-roll.js tokenScript) is held to what this script does.

const HASH = `K10${'a'.repeat(64)}`;
const OLD = `${HASH}::server:oldsecret000000000000000000000000000000000000000`;
const NEW = `${HASH}::server:newsecret111111111111111111111111111111111111111`;

let b: NodeSandbox;
beforeEach(() => {
  b = new NodeSandbox({ AWS_REGION: 'eu-west-1', PARAMETER_PREFIX: '/rancher/rke-ha', NODE_NAME: 'ip-10-0-0-10', NODE_IP: '10.0.0.10' });
  b.parameter('token', NEW);
  b.write('etc/rancher/rke2/token', OLD);
  b.write('var/lib/rancher/rke2/server/token', `${OLD}\n`);
  b.write('active', 'rke2-server\n');
});
afterEach(() => b.dispose());

const script = (action: string) => b.run({ file: 'cli/rotate/rotate-token.sh', args: [action, 'rke2'] });
/** What it asked of rke2 and systemctl (the SSM reads left out). */
const asked = () => b.calls().filter((c) => /^(rke2|systemctl restart)/.test(c));

it("rotate: `rke2 token rotate` with the parameter's secret part, once; a rerun finds the data directory on it and does not rotate again", () => {
  const first = script('rotate');
  expect(first.status).toBe(0);
  expect(first.output).toContain('rotate-token rotated=now');
  expect(asked()).toEqual(['rke2 token rotate --new-token newsecret111111111111111111111111111111111111111']);
  // What the upstream handler does to the data directory (pkg/server/handlers/token.go WriteToken), by hand here.
  b.write('var/lib/rancher/rke2/server/token', `${NEW}\n`);
  const again = script('rotate');
  expect(again.output).toContain('rotate-token rotated=already');
  expect(asked()).toHaveLength(1);
  // Never a token in what it prints (SSM keeps the output).
  expect(`${first.output}${again.output}`).not.toMatch(/secret/);
});

it('config: the parameter byte for byte into the token file, root only, its time a second back; status: each copy, and a start after it', () => {
  expect(script('status').output).toMatch(/^rotate-token config=no server=no started-after-config=no healthy=no$/m);
  const written = script('config');
  expect(written.output).toContain('rotate-token config=written');
  expect(readFileSync(b.path('etc/rancher/rke2/token'), 'utf8')).toBe(NEW);
  const stat = statSync(b.path('etc/rancher/rke2/token'));
  expect(stat.mode & 0o777).toBe(0o600);
  expect(stat.mtimeMs).toBeLessThanOrEqual(Date.now() - 1000 + 50);
  // Became active before the file was written: not yet restarted with it; after: restarted.
  b.write('active-since-rke2-server', new Date(Date.now() - 3_600_000).toUTCString());
  expect(script('status').output).toMatch(/^rotate-token config=yes server=no started-after-config=no /m);
  b.write('active-since-rke2-server', new Date(Date.now() + 1000).toUTCString());
  expect(script('status').output).toMatch(/^rotate-token config=yes server=no started-after-config=yes /m);
  expect(written.output + script('status').output).not.toMatch(/secret/);
});

it('restart: the service restarted without waiting for it', () => {
  const result = script('restart');
  expect(result.output).toContain('rotate-token restart=asked');
  expect(asked()).toEqual(['systemctl restart --no-block rke2-server']);
});
