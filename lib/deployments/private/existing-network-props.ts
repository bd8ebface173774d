import { Token } from 'cdktf';
import type { SectionName } from '../../config/setting-names';

/**
 * An existing network's props (IExistingVpc and IExistingSubnet objects, ExistingRkeNetworkProps and
 * ExistingDockerNetworkProps) in the settings file's form (ids), which the constructs' schemas check; or the problems
 * that keep them from it: a Terraform reference where a literal must be (the plan-time checks read the VPC and its
 * subnets before anything is created, and the servers are counted at synth), or the 0.3 props' loose ids.
 */

interface Problem {
  readonly field: string;
  readonly message: string;
  readonly value?: unknown;
}

/** A prop whose settings-file form differs, converted; undefined with problems (the prop is then left out). */
type Adapter = (value: unknown, field: string, problems: Problem[]) => unknown;

const REFERENCE =
  'is a Terraform reference; the plan-time checks read the VPC and its subnets before anything is created, so it must be a literal id (a network created in the same apply cannot be checked: create it in a stack applied before, and pass its ids)';

const ref = {
  vpcId: 'a VPC (ExistingVpc.fromId(...), or an object with vpcId)',
  subnetId: 'a subnet (ExistingSubnet.fromId(...), or an object with subnetId)',
};

/** One VPC's or subnet's id: its shape is the schema's to check, a reference is refused here. */
function id(value: unknown, key: 'vpcId' | 'subnetId', field: string, problems: Problem[]): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ field, message: `expected ${ref[key]}`, value });
    return undefined;
  }
  const given = (value as Record<string, unknown>)[key];
  if (typeof given === 'string' && Token.isUnresolved(given)) {
    problems.push({ field: `${field}.${key}`, message: REFERENCE, value: '<a Terraform reference>' });
    return undefined;
  }
  return given;
}

/** A list of subnets, written out: its length is the number of subnets (and, for the nodes', of servers it can hold). */
function subnets(value: unknown, field: string, problems: Problem[]): unknown {
  if (Token.isUnresolved(value)) {
    problems.push({
      field,
      message: 'is a Terraform reference; the subnets are counted at synth (one server per node subnet): list them',
      value: '<a Terraform reference>',
    });
    return undefined;
  }
  if (!Array.isArray(value)) {
    problems.push({ field, message: `expected a list of subnets (ExistingSubnet.fromIds([...]))`, value });
    return undefined;
  }
  return value.map((subnet, i) => id(subnet, 'subnetId', `${field}[${i}]`, problems));
}

/** The props' names of an existing network and the settings file's, for each section that has one. */
const FIELDS: Record<'rkeHa' | 'docker', Record<string, { readonly file: string; readonly kind: 'vpc' | 'subnet' | 'subnets' }>> = {
  rkeHa: {
    vpc: { file: 'vpcId', kind: 'vpc' },
    loadBalancerSubnets: { file: 'loadBalancerSubnetIds', kind: 'subnets' },
    nodeSubnets: { file: 'nodeSubnetIds', kind: 'subnets' },
    datastoreSubnets: { file: 'datastoreSubnetIds', kind: 'subnets' },
  },
  docker: {
    vpc: { file: 'vpcId', kind: 'vpc' },
    subnet: { file: 'subnetId', kind: 'subnet' },
  },
};

function existingNetwork(section: 'rkeHa' | 'docker'): Adapter {
  const fields = FIELDS[section];
  return (value, field, problems) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push({ field, message: `expected an object: { ${Object.keys(fields).join(', ')} }`, value });
      return undefined;
    }
    const given = value as Record<string, unknown>;
    const loose = Object.values(fields)
      .map((f) => f.file)
      .filter((key) => key in given);
    if (loose.length > 0) {
      const example =
        section === 'rkeHa'
          ? "{ vpc: ExistingVpc.fromId('vpc-...'), loadBalancerSubnets: ExistingSubnet.fromIds([...]), nodeSubnets: ExistingSubnet.fromIds([...]) }"
          : "{ vpc: ExistingVpc.fromId('vpc-...'), subnet: ExistingSubnet.fromId('subnet-...') }";
      problems.push({
        field,
        message: `takes the VPC and subnets as objects since 0.4.0 (${loose.join(', ')} were the 0.3 props): ${example}; docs/library.md, "Migrating from 0.3"`,
        value: `{ ${Object.keys(given).join(', ')} }`,
      });
      return undefined;
    }
    const before = problems.length;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(given)) {
      const spec = fields[key];
      if (!spec) out[key] = v;
      else if (v === undefined) continue;
      else if (spec.kind === 'subnets') out[spec.file] = subnets(v, `${field}.${key}`, problems);
      else out[spec.file] = id(v, spec.kind === 'vpc' ? 'vpcId' : 'subnetId', `${field}.${key}`, problems);
    }
    return problems.length > before ? undefined : out;
  };
}

/** Per section, the props whose settings-file form differs from theirs. */
export const SECTION_ADAPTERS: Readonly<Record<SectionName, Readonly<Record<string, Adapter>>>> = {
  rkeHa: { existingNetwork: existingNetwork('rkeHa') },
  docker: { existingNetwork: existingNetwork('docker') },
  k8sHa: {},
};
