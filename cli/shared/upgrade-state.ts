import {
  GATES_NAMESPACE,
  KUBERNETES_RECORD,
  SERVER_PLAN_NAME,
  SYSTEM_UPGRADE_NAMESPACE,
  UPGRADE_TARGET_RECORD,
} from '../../lib/kubernetes/object-names';
import type { KubeApi } from './kube/kube-api';
import type { NodeStatus } from './kubectl';

/** The version records lib/kubernetes/private/kubernetes-upgrade.ts writes (names from the dependency-free object-names.ts). */
export const UPGRADE_RECORDS = { namespace: GATES_NAMESPACE, target: UPGRADE_TARGET_RECORD, running: KUBERNETES_RECORD } as const;
/** The label the upgrade controller gives a node once the Plan's current hash ran on it. */
export const PLAN_LABEL = `plan.upgrade.cattle.io/${SERVER_PLAN_NAME}`;

/** The parts of a system-upgrade-controller Plan the checks read. */
interface PlanObject {
  readonly status?: { readonly applying?: readonly string[]; readonly latestHash?: string };
}

/** What the checks read through the Kubernetes layer (kube-api.ts): the records (ConfigMaps) and the Plan (a custom object). */
export type UpgradeReads = Pick<KubeApi, 'configMapData' | 'customObject'>;

/** The server Plan (upgrade.cattle.io/v1 plans, system-upgrade-controller's CRD); undefined without one or its CRD. */
const serverPlan = async (kube: UpgradeReads) =>
  (await kube.customObject({
    group: 'upgrade.cattle.io',
    version: 'v1',
    plural: 'plans',
    namespace: SYSTEM_UPGRADE_NAMESPACE,
    name: SERVER_PLAN_NAME,
  })) as PlanObject | undefined;

/**
 * Why an in-place upgrade is pending or running, or undefined when none is:
 * the apply recorded a target the running record does not match yet (an
 * upgrade apply that has not finished, or failed), or the server Plan is
 * still applying (`status.applying` names nodes), or a server Node lacks the
 * label with the Plan's latest hash (the controller has yet to run it there).
 * Objects that do not exist (K3s without them, deployments older than the
 * records) stop nothing.
 */
export async function upgradeInFlight(kube: UpgradeReads, serverNodes: readonly NodeStatus[]): Promise<string | undefined> {
  const record = async (name: string) => (await kube.configMapData(UPGRADE_RECORDS.namespace, name))?.kubernetes;
  const target = await record(UPGRADE_RECORDS.target);
  const running = await record(UPGRADE_RECORDS.running);
  if (target !== undefined && target !== running) {
    return `the last apply set the Kubernetes target to ${target}, but the running record says ${running ?? 'nothing yet'} (ConfigMaps ${UPGRADE_RECORDS.namespace}/${UPGRADE_RECORDS.target} and ${UPGRADE_RECORDS.running}): an upgrade is under way or failed`;
  }
  const plan = await serverPlan(kube);
  if (plan === undefined) return undefined;
  const applying = plan.status?.applying ?? [];
  if (applying.length > 0) return `the upgrade Plan ${SYSTEM_UPGRADE_NAMESPACE}/${SERVER_PLAN_NAME} is applying on ${applying.join(', ')}`;
  const hash = plan.status?.latestHash;
  if (!hash)
    return `the upgrade Plan ${SYSTEM_UPGRADE_NAMESPACE}/${SERVER_PLAN_NAME} has not been processed by its controller yet (no status.latestHash)`;
  // The controller itself skips a node labelled with the hash or `disabled` (SUC v0.20.1 pkg/upgrade/plan/plan.go).
  const behind = serverNodes.filter((n) => n.labels[PLAN_LABEL] !== hash && n.labels[PLAN_LABEL] !== 'disabled').map((n) => n.name);
  if (behind.length > 0)
    return `the upgrade Plan ${SYSTEM_UPGRADE_NAMESPACE}/${SERVER_PLAN_NAME} (hash ${hash}) has yet to run on ${behind.join(', ')}`;
  return undefined;
}

/**
 * Whether the server Plan is done with one server's Node, for a roll waiting
 * for the server it replaced: done with no Plan, or with the Node labelled
 * with the latest hash (or `disabled`); not done while the controller applies
 * it there, before the controller has processed the Plan, or while nothing
 * else holds the Plan up (the controller is about to start it there). Held up
 * on the other servers (another Node applying or behind: a roll holding the
 * restart Lease keeps their Jobs in their prepare step) counts as done here;
 * the roll's next preflight refuses that upgrade.
 */
export async function planSettledOn(kube: UpgradeReads, node: NodeStatus, serverNodes: readonly NodeStatus[]): Promise<boolean> {
  const plan = await serverPlan(kube);
  if (plan === undefined) return true;
  const hash = plan.status?.latestHash;
  if (!hash) return false;
  const applying = plan.status?.applying ?? [];
  if (applying.includes(node.name)) return false;
  const done = (n: NodeStatus) => n.labels[PLAN_LABEL] === hash || n.labels[PLAN_LABEL] === 'disabled';
  if (done(node)) return true;
  return applying.length > 0 || serverNodes.some((n) => n.name !== node.name && !done(n));
}
