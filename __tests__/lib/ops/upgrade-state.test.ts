import { KUBERNETES_RECORD, UPGRADE_TARGET_RECORD } from '../../../lib/kubernetes/kubernetes-upgrade';
import { GATES_NAMESPACE } from '../../../lib/kubernetes/readiness-gates';
import { SERVER_PLAN_NAME } from '../../../lib/kubernetes/upgrade-plan';
import { PLAN_LABEL, UPGRADE_RECORDS } from '../../../lib/ops/upgrade-state';

// The roll reads what the stacks write: the same names, held equal here (the CLI cannot import the constructs).
it('reads the records and the Plan label the upgrade writes', () => {
  expect(UPGRADE_RECORDS).toEqual({ namespace: GATES_NAMESPACE, target: UPGRADE_TARGET_RECORD, running: KUBERNETES_RECORD });
  expect(PLAN_LABEL).toBe(`plan.upgrade.cattle.io/${SERVER_PLAN_NAME}`);
});
