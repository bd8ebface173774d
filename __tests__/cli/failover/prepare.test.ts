import { prepareStandby } from '../../../cli/failover/prepare';
import { IoHost } from '../../../cli/shared/io/io-host';
import { PlainRenderer } from '../../../cli/shared/io/plain-renderer';
import { said } from '../../helpers/plain-output';

// `failover --prepare --dry-run` (cli/failover/prepare.ts): what the pilot light would make, from the settings alone.

const dryRun = async (stack: string, settings: Record<string, unknown>) => {
  let out = '';
  const io = new IoHost(new PlainRenderer({ write: (text: string) => (out += text) }));
  const code = await prepareStandby(
    { stack, productionDir: '/p', settingsPath: '/p/rancher.yaml', root: '/f', synthScript: '', dryRun: true, interrupted: () => false, io },
    settings,
    { region: 'us-west-2', name: 'rancher-sb', productionName: 'rancher', moduleDir: '/f/cdktf.out/stacks/rke-ha' },
  );
  return { code, plan: said(out, 'FAILOVER_PREPARE_PLAN') };
};

describe('the prepare, dry run', () => {
  it("names K3s' datastore among what it makes for rke-ha on K3s, and for no other stack", async () => {
    const k3s = await dryRun('rke-ha', { rkeHa: { distribution: 'k3s' } });
    expect(k3s).toEqual({
      code: 0,
      plan: expect.stringContaining("and its load balancer, and K3s' datastore (RDS, empty until a failover); no server"),
    });
    for (const [stack, settings] of [
      ['rke-ha', {}],
      ['k8s-ha', { rkeHa: { distribution: 'k3s' } }],
    ] as const)
      expect((await dryRun(stack, settings)).plan).toContain('and its load balancer; no server');
  });
});
