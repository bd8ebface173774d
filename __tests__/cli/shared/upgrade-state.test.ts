import { KUBERNETES_RECORD, UPGRADE_TARGET_RECORD } from '../../../lib/kubernetes/private/kubernetes-upgrade';
import { GATES_NAMESPACE } from '../../../lib/kubernetes/readiness-gates';
import { SERVER_PLAN_NAME } from '../../../lib/kubernetes/private/upgrade-plan';
import type { NodeStatus } from '../../../cli/shared/kubectl';
import { PLAN_LABEL, planSettledOn, UPGRADE_RECORDS, type UpgradeReads } from '../../../cli/shared/upgrade-state';

// The roll reads what the stacks write: the same names, from lib/kubernetes/object-names.ts.
it('reads the records and the Plan label the upgrade writes', () => {
  expect(UPGRADE_RECORDS).toEqual({ namespace: GATES_NAMESPACE, target: UPGRADE_TARGET_RECORD, running: KUBERNETES_RECORD });
  expect(PLAN_LABEL).toBe(`plan.upgrade.cattle.io/${SERVER_PLAN_NAME}`);
});

describe('planSettledOn: the Plan and the server a roll just replaced', () => {
  const node = (name: string, hash?: string): NodeStatus =>
    ({ name, labels: hash ? { [PLAN_LABEL]: hash } : {}, ready: true, internalIps: ['10.0.0.1'], deleting: false }) as unknown as NodeStatus;
  // The API as the Kubernetes layer answers: the server Plan (undefined: none, or no CRD), no records.
  const withPlan = (status?: { latestHash?: string; applying?: string[] }): UpgradeReads => ({
    configMapData: async () => undefined,
    customObject: async (ref) =>
      status === undefined || ref.group !== 'upgrade.cattle.io' || ref.plural !== 'plans' || ref.name !== SERVER_PLAN_NAME ? undefined : { status },
  });
  const fresh = node('new');
  const others = (hash?: string) => [fresh, node('a', hash), node('b', hash)];

  it.each([
    ['no Plan', withPlan(), others('h'), true],
    ['the new Node labelled with the latest hash', withPlan({ latestHash: 'h', applying: [] }), [node('new', 'h'), node('a', 'h')], true],
    ['applying on the new Node', withPlan({ latestHash: 'h', applying: ['new'] }), others('h'), false],
    ['not processed yet', withPlan({ applying: [] }), others('h'), false],
    ['the others done, the new Node not yet picked up', withPlan({ latestHash: 'h', applying: [] }), others('h'), false],
    ['held up on another server (applying there)', withPlan({ latestHash: 'h2', applying: ['a'] }), others('h1'), true],
    ['held up on the others (behind, nothing applying)', withPlan({ latestHash: 'h2', applying: [] }), others('h1'), true],
  ] as const)('%s', async (_, kube, nodes, settled) => {
    expect(await planSettledOn(kube, nodes[0], nodes)).toBe(settled);
  });
});
