import { STANDBY_ENCRYPTION_KEY, STANDBY_FACTS_FORMAT } from '../../../lib/standby/standby-facts-keys';
import type { TerraformJson } from '../../helpers/synth';
import { describeWithTerraform, evaluateWithLocals } from '../../helpers/terraform';
import { K8S_HA_STACK, RKE_HA_STACK, synthSettings, type StackName } from '../../helpers/variants';

// The standby facts document as Terraform renders it (lib/standby/standby-facts.ts), against the contract the failover
// will read (docs/development/standby-facts.md): the module's `standby_facts` local evaluated by terraform console,
// each resource it names standing in as the AWS provider stores it, production's record and its key sensitive (as
// they are: a digest of the generated EncryptionConfiguration is in them). A field renamed, a value of another shape,
// or the document sensitive (nothing could be written to S3 readable in a plan) fails here.

const DOMAIN = { hostname: 'rancher.acme.io', hostedZone: 'acme.io' } as const;
const VARIABLES = { rancher_hostname: 'rancher.acme.io', route53_zone_name: 'acme.io' };
const RECORD_KEY = 'rancher-aws/record/rancher=v2.15.2/hostname=rancher.acme.io/encryption=0f1e/since=2026-11-29T02:00:00Z';
const RECORD_FIELDS = { rancher: 'v2.15.2', hostname: 'rancher.acme.io', encryption: '0f1e', since: '2026-11-29T02:00:00Z' };
const CA = 'rancher-ca-5f2a';
/** An A alias record as the AWS provider stores it (internal/service/route53/record.go's schema). */
const ALIAS_RECORD = {
  id: 'Z0ACME_rancher.acme.io_A',
  zone_id: 'Z0ACME',
  name: 'rancher.acme.io',
  fqdn: 'rancher.acme.io',
  type: 'A',
  ttl: null,
  records: null,
  set_identifier: '',
  health_check_id: '',
  multivalue_answer_routing_policy: false,
  allow_overwrite: null,
  alias: [{ name: 'rancher-nlb-0123.elb.us-east-1.amazonaws.com', zone_id: 'Z26RNL4JYFTOTI', evaluate_target_health: true }],
};

/** The stand-in of a resource the local names, by its type and name (a list for a counted one). */
function standIn(json: TerraformJson, type: string, name: string): unknown {
  const counted = json.resource[type]?.[name]?.count !== undefined;
  const value = ((): unknown => {
    if (type === 'aws_route53_record') return name.startsWith('dns_alias_') || name.startsWith('dns_record_') ? ALIAS_RECORD : undefined;
    if (type === 'aws_lb') return { dns_name: 'rancher-nlb-0123.elb.us-east-1.amazonaws.com', zone_id: 'Z26RNL4JYFTOTI' };
    if (type === 'aws_s3_bucket') return { id: name.startsWith('standby_') ? 'rancher-backups-sb-0123' : 'rancher-backups-0123' };
    if (type === 'aws_kms_key') return { arn: 'arn:aws:kms:us-west-2:123456789012:key/facts' };
    if (name.includes('_record_object_'))
      return { key: `\${sensitive("${RECORD_KEY}")}`, content: `\${sensitive(${JSON.stringify(JSON.stringify(RECORD_FIELDS))})}` };
    if (name.includes('_record_ca-object_')) return { key: `rancher-aws/record-ca/ca=${CA}`, content: JSON.stringify({ ca: CA }) };
    if (name.includes('backup-encryption')) return { key: STANDBY_ENCRYPTION_KEY };
    throw new Error(`no stand-in for ${type}.${name}`);
  })();
  return counted ? (value === undefined ? [] : [value]) : value;
}

/** The facts local with each reference to a resource led to its stand-in, evaluated, and read back as JSON. */
function rendered(json: TerraformJson): unknown {
  const locals: Record<string, unknown> = {};
  const text = JSON.stringify(json.locals!.standby_facts).replace(
    /\b(aws_[a-z0-9_]+|local)\.([A-Za-z0-9_-]+)/g,
    (whole, type: string, name: string) => {
      if (type === 'local') {
        // The ingress target and its record type (k8s-ha's locals), as the module has them for an NLB's hostname.
        locals[name] = name.startsWith('dns_target_') ? 'rancher-nlb-0123.elb.us-east-1.amazonaws.com' : 'alias';
        return whole;
      }
      const local = `${type}__${name}`;
      locals[local] = standIn(json, type, name);
      return `local.${local}`;
    },
  );
  return evaluateWithLocals({ ...locals, facts: JSON.parse(text) }, 'jsondecode(jsonencode(local.facts))', VARIABLES);
}

const contract = (stack: StackName, records: unknown[]) => ({
  format: STANDBY_FACTS_FORMAT,
  name: 'rancher',
  kind: stack,
  distribution: stack === RKE_HA_STACK ? 'rke2' : null,
  region: 'us-east-1',
  standbyRegion: 'us-west-2',
  hostname: 'rancher.acme.io',
  url: 'https://rancher.acme.io',
  dns: { hostedZone: 'acme.io', records },
  loadBalancer: stack === RKE_HA_STACK ? { dnsName: 'rancher-nlb-0123.elb.us-east-1.amazonaws.com', zoneId: 'Z26RNL4JYFTOTI' } : null,
  ingress: stack === K8S_HA_STACK ? { target: 'rancher-nlb-0123.elb.us-east-1.amazonaws.com', recordType: 'alias' } : null,
  backups: {
    bucket: 'rancher-backups-0123',
    copy: 'rancher-backups-sb-0123',
    encryption: { key: STANDBY_ENCRYPTION_KEY, kmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/facts', format: 'EncryptionConfiguration' },
  },
  backupRecord: { key: RECORD_KEY, fields: RECORD_FIELDS },
  caRecord: { key: `rancher-aws/record-ca/ca=${CA}`, ca: CA },
});

describeWithTerraform('the standby facts document, rendered by terraform', () => {
  it.each<[StackName, Record<string, unknown>]>([
    [RKE_HA_STACK, { standby: { region: 'us-west-2' } }],
    [K8S_HA_STACK, { standby: { region: 'us-west-2', k8sHa: { access: { kubeconfig: { path: '~/.kube/standby' } } } } }],
  ])('%s: is the contract, non-sensitive, its records as the state holds them', (stack, settings) => {
    const json = synthSettings(stack, { ...DOMAIN, ...settings }).json;
    expect(rendered(json)).toEqual(contract(stack, [ALIAS_RECORD]));
  });
});
