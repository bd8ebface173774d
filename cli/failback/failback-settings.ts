import { relative, resolve } from 'node:path';
import { type RecordSet, recordSetOfState } from '../shared/hostname-record';
import type { ModuleState, StateResource } from '../shared/terraform';
import type { ModuleJson } from '../shared/throwaway';

// What `npm run failback -- rke-ha` applies (docs/failover.md, "Failback"): production's own settings restoring the
// standby's newest backup, applied to production's own state, with the hostname's records held out of the apply.

const section = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {};

/** The standby's backup production restores, once copied into production's own backup bucket (the failback's `copy`). */
export interface FailbackChoice {
  readonly file: string;
}

/**
 * Production's settings as the failback applies them: unchanged but for
 * - `backups.restoreFrom` naming the standby's backup in production's own bucket, where the failback copied it
 *   (production's objects come back as the standby left them). Not the standby's bucket: the rancher-backup operator
 *   reads its storage location in the deployment's own region, and the standby's bucket is in another. `inPlace`:
 *   production's cluster runs, so the restore is Rancher's in-place one, a Restore object of its own (the operator
 *   runs each once) with prune on (what was deleted on the standby does not come back). `unrecordedSource`: the
 *   record beside the backups in production's bucket is production's (its key), and the file is the standby's,
 *   encrypted with the standby's key, which the restore is given: the plan checks only that the file is there;
 * - `rancher.bootstrap.enabled: false` (the restore brings Rancher's users; the settings refuse a first login with it);
 * - `rkeHa.loadBalancer.hostnameRecord: false`: the apply must neither point the name at the primary before its CA is
 *   checked (a record in the configuration) nor delete it (the record in the state, not in the configuration): the
 *   records are held out of it by `removed` blocks (heldOut), moved once the check passed, then imported back.
 */
export function failbackSettings(production: Record<string, unknown>, choice: FailbackChoice, stack = 'rke-ha'): Record<string, unknown> {
  const settings = section(production);
  settings.rancher = { ...section(settings.rancher), bootstrap: { enabled: false } };
  settings.backups = { ...section(settings.backups), enabled: true, restoreFrom: { file: choice.file, inPlace: true, unrecordedSource: true } };
  if (stack === 'k8s-ha') {
    // k8s-ha's one record, held out the same way (its `dns.hostnameRecord`).
    const k8sHa = section(settings.k8sHa);
    settings.k8sHa = { ...k8sHa, dns: { ...section(k8sHa.dns), hostnameRecord: false } };
    return settings;
  }
  const rkeHa = section(settings.rkeHa);
  rkeHa.loadBalancer = { ...section(rkeHa.loadBalancer), hostnameRecord: false };
  settings.rkeHa = rkeHa;
  return settings;
}

/** A record production's state holds for the hostname: its address there, and what Route 53 calls it. */
export interface HeldRecord {
  readonly address: string;
  readonly zoneId: string;
  readonly name: string;
  readonly type: 'A' | 'AAAA' | 'CNAME';
  /** k8s-ha: the record set as the state holds it (an alias, an address, or a name). */
  readonly set?: RecordSet;
  /** Failover routing (lib/standby/standby-dns.ts): the record's role and set identifier, which its import id ends with. */
  readonly failover?: { readonly role: string; readonly setIdentifier: string };
}

/**
 * The hostname's A and AAAA records in production's state, by address (the failover moved them; Terraform still owns
 * them); k8s-ha's one record also a CNAME, with its record set.
 */
export function hostnameRecords(state: ModuleState, host: string, stack = 'rke-ha'): HeldRecord[] {
  const types = stack === 'k8s-ha' ? ['A', 'AAAA', 'CNAME'] : ['A', 'AAAA'];
  return state.resources
    .filter((r) => r.mode === 'managed' && r.type === 'aws_route53_record')
    .filter((r) => String(r.attributes.name).replace(/\.$/, '') === host && types.includes(String(r.attributes.type)))
    .map((r) => ({
      address: r.address,
      zoneId: String(r.attributes.zone_id),
      name: host,
      type: r.attributes.type as HeldRecord['type'],
      ...(stack === 'k8s-ha' ? { set: recordSetOfState(r) } : {}),
      ...failoverOf(r),
    }));
}

/** A failover record's role and set identifier (the provider's `failover_routing_policy`, a list of one block). */
function failoverOf(r: StateResource): Pick<HeldRecord, 'failover'> {
  const policy = Array.isArray(r.attributes.failover_routing_policy) ? (r.attributes.failover_routing_policy[0] as { type?: unknown }) : undefined;
  return typeof policy?.type === 'string' ? { failover: { role: policy.type, setIdentifier: String(r.attributes.set_identifier ?? '') } } : {};
}

/** A `removed` block (Terraform 1.7+): the resource leaves the state, and its remote object stays (`destroy = false`). */
interface Removed {
  readonly from: string;
  readonly lifecycle: { readonly destroy: false };
}

/**
 * The synthesized module made safe to apply to production's state:
 * - every managed resource of that state the configuration no longer has gets a `removed` block with `destroy =
 *   false`: Terraform forgets it and deletes nothing (the hostname's records, which stay pointed at the standby
 *   until the move; the first login's, which the restore replaces);
 * - a local backend names production's state file (the module is synthesized in the failback's folder); an S3
 *   backend is production's already (the same settings).
 */
export function heldOut(
  json: ModuleJson & { removed?: Removed[] },
  state: ModuleState,
  o: { productionDir: string; productionJson: ModuleJson; moduleDir: string },
): ModuleJson {
  const configured = new Set(Object.entries(json.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`)));
  // A `removed` block names a resource, never an instance (Terraform refuses an index there), and once (the module's
  // own, such as the first login's when rancher.bootstrap is off, stay as they are).
  const already = new Set((json.removed ?? []).map((r) => r.from));
  const gone = new Set(state.resources.filter((r) => r.mode === 'managed').map((r) => `${r.type}.${r.name}`));
  const removed: Removed[] = [...gone]
    .filter((address) => !configured.has(address) && !already.has(address))
    .map((from) => ({ from, lifecycle: { destroy: false } }));
  const local = o.productionJson.terraform?.backend?.local;
  const terraform = local?.path
    ? { ...json.terraform, backend: { local: { ...local, path: relative(o.moduleDir, resolve(o.productionDir, local.path)) } } }
    : json.terraform;
  return { ...json, terraform, ...(removed.length > 0 ? { removed: [...(json.removed ?? []), ...removed] } : {}) };
}

/** A resource change of `terraform show -json <plan>` (Terraform's JSON output format, `resource_changes`). */
export interface PlannedChange {
  readonly address: string;
  readonly type: string;
  readonly change: { readonly actions: readonly string[] };
}

/**
 * Why the failback's saved plan must not be applied: it deletes something (a delete, or the delete of a
 * replacement), or it changes the hostname's records in any way but forgetting them. Empty when it may be applied.
 */
export function planProblems(changes: readonly PlannedChange[]): string[] {
  const problems: string[] = [];
  for (const c of changes) {
    const actions = c.change.actions;
    if (c.type === 'aws_route53_record' && !(actions.length === 1 && (actions[0] === 'forget' || actions[0] === 'no-op' || actions[0] === 'read')))
      problems.push(
        `${c.address} would be ${actions.map((a) => `${a}d`).join(' and ')}: the hostname's records stay out of the apply until the primary's CA is checked`,
      );
    else if (actions.includes('delete')) problems.push(`${c.address} would be ${actions.includes('create') ? 'replaced' : 'deleted'}`);
  }
  return problems;
}
