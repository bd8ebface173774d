import type { TerraformJson } from './synth';

/**
 * What every server's `lifecycle.ignore_changes` holds, as the tests expect it (ServerNode: the attributes whose
 * change would replace or restart all servers at once, the compressed user data beside the plain one, and the
 * public address that goes with the subnet).
 */
export const SERVER_IGNORE_CHANGES: readonly string[] = [
  'ami',
  'user_data',
  'user_data_base64',
  'instance_type',
  'key_name',
  'subnet_id',
  'private_ip',
  'associate_public_ip_address',
];

/**
 * Arguments whose change makes Terraform replace a resource, per type, from
 * the pinned AWS provider (6.25.0: ForceNew in the resource schemas; see
 * docs/design-notes.md, "Day-2 safety"). Only the types whose replacement matters
 * for a running deployment are modelled: the servers, their network, the
 * datastore, the snapshot bucket, the load balancer and its Elastic IPs, Rancher's
 * DNS records and addresses, and the Docker install's data volume.
 */
export const REPLACING: Readonly<Record<string, readonly string[]>> = {
  aws_instance: [
    'ami',
    'availability_zone',
    'key_name',
    'subnet_id',
    'private_ip',
    'associate_public_ip_address',
    'placement_group',
    'tenancy',
    'root_block_device.encrypted',
    'root_block_device.kms_key_id',
  ],
  aws_vpc: ['cidr_block'],
  aws_subnet: ['vpc_id', 'cidr_block', 'availability_zone'],
  aws_db_instance: ['engine', 'db_name', 'username', 'storage_encrypted', 'kms_key_id', 'availability_zone', 'db_subnet_group_name'],
  aws_db_subnet_group: ['name_prefix'],
  aws_s3_bucket: ['bucket', 'bucket_prefix'],
  // An NLB's subnets or subnet mappings: any change of the same count, a removal, or a switch between the two
  // forms replaces it (customizeDiffLoadBalancerNLB); only added subnets are in place, which no settings change
  // here makes (the zone count is fixed), so the model counts every change.
  aws_lb: ['name', 'internal', 'load_balancer_type', 'subnets', 'subnet_mapping'],
  // The name's records and what they answer with (route53 record.go, health_check.go; ec2 eip.go, ebs_volume.go).
  aws_route53_record: ['name', 'zone_id'],
  aws_route53_health_check: ['type', 'request_interval', 'measure_latency', 'reference_name', 'routing_control_arn'],
  aws_eip: ['address', 'domain', 'network_border_group', 'public_ipv4_pool', 'ipam_pool_id'],
  aws_ebs_volume: ['availability_zone', 'encrypted', 'kms_key_id', 'snapshot_id', 'outpost_arn', 'multi_attach_enabled'],
  aws_volume_attachment: ['device_name', 'instance_id', 'volume_id'],
  // The readiness gates are named after what they check (helm 3.1.1 resource_helm_release.go: RequiresReplace).
  helm_release: ['name', 'namespace'],
};

/**
 * Replacing arguments the provider stores as computed when the configuration
 * leaves them out (Optional + Computed): a module that starts setting one
 * replaces nothing when the value it sets is what the provider computed. The
 * function gives that value from the module the resource was created with.
 */
const COMPUTED: Readonly<Record<string, Readonly<Record<string, (json: TerraformJson, resource: any) => unknown>>>> = {
  // EC2 gives a public address when the subnet maps one on launch (the provider reads it back into state).
  aws_instance: { associate_public_ip_address: subnetMapsPublicAddress },
};

/**
 * Whether the instance's subnet, one of the module's, gives it a public
 * address on launch; undefined for a subnet the module does not create.
 */
export function subnetMapsPublicAddress(json: TerraformJson, instance: { subnet_id?: unknown }): boolean | undefined {
  const subnet = /^\$\{aws_subnet\.([^.]+)\.id\}$/.exec(String(instance.subnet_id))?.[1];
  return subnet === undefined ? undefined : (json.resource.aws_subnet?.[subnet]?.map_public_ip_on_launch ?? false);
}

/**
 * Arguments replaced when `user_data_replace_on_change` is set (the Docker
 * host); the RKE2/K3s servers never set it.
 */
const USER_DATA = ['user_data', 'user_data_base64'];

export interface PlannedChange {
  /** Addresses (`type.name`) Terraform would replace. */
  readonly replaced: string[];
  /** Addresses present before and gone after: destroyed. */
  readonly destroyed: string[];
}

function get(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), value);
}

/** The text an argument has in the module, with locals it refers to inlined (what Terraform would compare). */
function argumentText(json: TerraformJson, value: unknown): string {
  let text = JSON.stringify(value ?? null);
  for (let i = 0; i < 3; i++) text = text.replace(/local\.([A-Za-z0-9_-]+)/g, (_, name: string) => JSON.stringify(json.locals?.[name] ?? null));
  return text;
}

/**
 * What a plan from `before` to `after` would replace or destroy, modelled on
 * the synthesized modules: a resource is replaced when one of its replacing
 * arguments (not in `ignore_changes`) changes its text, or refers to a
 * resource that is itself replaced (its id changes); an argument left to the
 * provider counts as the value it computed (`COMPUTED`). Values only known to the
 * provider (a newer AMI found by a lookup) are outside the model; the held
 * attributes of the servers make them irrelevant there.
 */
export function plannedChange(before: TerraformJson, after: TerraformJson): PlannedChange {
  const replaced = new Set<string>();
  const destroyed: string[] = [];
  const candidates: [string, string, any, any][] = [];
  for (const [type, instances] of Object.entries(before.resource)) {
    for (const [name, old] of Object.entries(instances)) {
      const now = after.resource[type]?.[name];
      if (now === undefined) destroyed.push(`${type}.${name}`);
      else candidates.push([type, name, old, now]);
    }
  }
  for (let changed = true; changed;) {
    changed = false;
    for (const [type, name, old, now] of candidates) {
      const address = `${type}.${name}`;
      if (replaced.has(address)) continue;
      const ignored: string[] = now.lifecycle?.ignore_changes ?? [];
      const args = [...(REPLACING[type] ?? []), ...(now.user_data_replace_on_change ? USER_DATA : [])].filter(
        (a) => !ignored.includes(a.split('.')[0]),
      );
      const value = (json: TerraformJson, resource: any, arg: string) => get(resource, arg) ?? COMPUTED[type]?.[arg]?.(json, resource);
      const forced = args.some((arg) => {
        const a = argumentText(before, value(before, old, arg));
        const b = argumentText(after, value(after, now, arg));
        if (a !== b) return true;
        // The same reference, to a resource that is replaced: a new id.
        return [...replaced].some((r) => b.includes(`${r}.`));
      });
      if (forced) {
        replaced.add(address);
        changed = true;
      }
    }
  }
  return { replaced: [...replaced].sort(), destroyed: destroyed.sort() };
}

/** The servers (`aws_instance` named `server-<n>_...`) among addresses. */
export const servers = (addresses: readonly string[]) => addresses.filter((a) => /^aws_instance\.server-\d+_/.test(a));
