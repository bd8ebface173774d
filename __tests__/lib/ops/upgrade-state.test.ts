import { KUBERNETES_RECORD, UPGRADE_TARGET_RECORD } from '../../../lib/kubernetes/kubernetes-upgrade';
import { GATES_NAMESPACE } from '../../../lib/kubernetes/readiness-gates';
import { SERVER_PLAN_NAME } from '../../../lib/kubernetes/upgrade-plan';
import { PLAN_LABEL, UPGRADE_RECORDS } from '../../../lib/ops/upgrade-state';
import { join } from 'node:path';
import { build } from 'esbuild';

// The roll reads what the stacks write: the same names, from lib/kubernetes/object-names.ts.
it('reads the records and the Plan label the upgrade writes', () => {
  expect(UPGRADE_RECORDS).toEqual({ namespace: GATES_NAMESPACE, target: UPGRADE_TARGET_RECORD, running: KUBERNETES_RECORD });
  expect(PLAN_LABEL).toBe(`plan.upgrade.cattle.io/${SERVER_PLAN_NAME}`);
});

// The package's binary runs where only the package is installed: the CLI's module graph holds no cdktf, no
// constructs and no provider binding (the names it shares with the stacks come from a module without imports).
it('loads no cdktf, constructs or provider module', async () => {
  const { metafile } = await build({ entryPoints: [join(__dirname, '../../../lib/ops/cli.ts')], bundle: true, platform: 'node', write: false, metafile: true, logLevel: 'silent' });
  const inputs = Object.keys(metafile.inputs);
  expect(inputs.some((input) => input.endsWith('lib/ops/upgrade-state.ts'))).toBe(true);
  expect(inputs.filter((input) => /node_modules\/(cdktf|constructs|@cdktf)\//.test(input))).toEqual([]);
});
