import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startKeptStandby } from '../../../cli/failover/kept-standby';
import { scratchFolder } from '../../helpers/scratch';

// A kept standby's Rancher started by the failover (cli/failover/kept-standby.ts): the cases the fake worlds do not
// reach (failback.tools.test.ts and failback-k8s-ha.tools.test.ts run the second failover onto a kept standby).

describe("the failover's look at a kept standby's Rancher", () => {
  it('a k8s-ha standby reached through Terraform variables is not checked: a warning names the command that starts it, with the replicas its chart is given', async () => {
    const root = scratchFolder('kept-standby-');
    try {
      writeFileSync(join(root, 'settings.json'), JSON.stringify({ rancher: { replicas: 2 }, k8sHa: { access: { variables: true } } }));
      const started = await startKeptStandby({ stack: 'k8s-ha', module: join(root, 'cdktf.out', 'stacks', 'k8s-ha'), root });
      expect(started.detail).toBe(
        "Rancher's replicas on the standby's cluster not checked (its settings reach it through Terraform variables (k8sHa.access.variables), which this command cannot read)",
      );
      expect(started.warning).toContain('kubectl -n cattle-system scale deployment rancher --replicas=2');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
