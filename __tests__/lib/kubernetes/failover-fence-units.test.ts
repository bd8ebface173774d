import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { k3sUserData } from '../../../lib/kubernetes/private/k3s-user-data';
import { rke2UserData } from '../../../lib/kubernetes/private/rke2-user-data';
import { FAILOVER_FENCE_PATH, FAILOVER_FENCE_UNIT } from '../../../lib/kubernetes/private/server-units';
import { shipped } from '../../../lib/nodes/private/boot-files';
import { FAILOVER_FENCE_PARAMETER, FAILOVER_FENCE_REGION_PARAMETER } from '../../../lib/standby/standby-facts-keys';
import { base, render } from './k3s-user-data.setup';
import { init, rendered, settings } from './rke2-user-data.setup';

// The failover's fence on production's servers (failover-fence.sh): the script, its unit and its timer (enabled at
// first boot) on every RKE2 and K3s server, whatever the settings (where the fence is comes from SSM: no server goes
// stale when a standby is turned on), and the parameters' names as the library writes them.

const SCRIPT = readFileSync(join(__dirname, '../../../lib/kubernetes/failover-fence.sh'), 'utf8');
type File = { path: string; content: string; permissions: string };

describe.each([
  ['rke2', () => rendered(rke2UserData(settings, init))],
  ['k3s', () => render(k3sUserData(base, init))],
])('%s servers and the failover fence', (dist, userData) => {
  const text = userData();
  const find = (path: string) => (parse(text).write_files as File[]).find((f) => f.path === path);

  it('the script, run 10 s after boot and every 30 s by its timer, enabled at first boot', () => {
    const script = find(FAILOVER_FENCE_PATH)!;
    expect([script.permissions, script.content]).toEqual(['0700', shipped(SCRIPT)]);
    expect(find(`/etc/systemd/system/${FAILOVER_FENCE_UNIT}.service`)!.content).toContain(`ExecStart=${FAILOVER_FENCE_PATH} ${dist}\n`);
    expect(find(`/etc/systemd/system/${FAILOVER_FENCE_UNIT}.timer`)!.content).toContain('OnBootSec=10s\nOnUnitActiveSec=30s\n');
    expect(parse(text).runcmd).toContainEqual(['systemctl', 'enable', '--now', `${FAILOVER_FENCE_UNIT}.timer`]);
    // Nothing of the standby in the env file: the boot document does not change with standby.region.
    expect(find('/etc/rancher/bootstrap.env')!.content).not.toContain('us-west-2');
  });
});

it("failover-fence.sh reads the parameters lib/standby/standby-facts-keys.ts names, below the deployment's path", () => {
  expect(SCRIPT).toContain(`\nFENCE_PARAMETER=$PARAMETER_PREFIX${FAILOVER_FENCE_PARAMETER}\n`);
  expect(SCRIPT).toContain(`\nREGION_PARAMETER=${FAILOVER_FENCE_REGION_PARAMETER.slice(1)}\n`);
});
