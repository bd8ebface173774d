import { failbackSettings, heldOut, hostnameRecords, planProblems } from '../../../cli/failback/failback-settings';
import type { ModuleState } from '../../../cli/shared/terraform';
import { synthSettings } from '../../helpers/variants';

// The failback's module, from real synths: production's settings (a hostname, a zone, a standby) and the failback's
// (failbackSettings), and production's state as Terraform holds the first after its apply.

const PRODUCTION = {
  name: 'rancher',
  region: 'eu-west-1',
  hostname: 'rancher.example.com',
  hostedZone: 'example.com',
  standby: { region: 'us-west-2' },
};
const CHOICE = {
  file: 'rancher-aws-scheduled-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-11-27T22-00-00Z.tar.gz.enc',
};
const productionJson = synthSettings('rke-ha', PRODUCTION as never).json as any;
const failbackJson = synthSettings('rke-ha', failbackSettings(PRODUCTION, CHOICE) as never).json as any;

/** Production's state: every resource of its module, the record resolved as Terraform stores it. */
const state: ModuleState = {
  outputs: {},
  resources: Object.entries(productionJson.resource as Record<string, Record<string, unknown>>).flatMap(([type, byName]) =>
    Object.keys(byName).map((name) => ({
      address: `${type}.${name}`,
      mode: 'managed' as const,
      type,
      name,
      // Production's hostname records with a standby: failover routing (lib/standby/standby-dns.ts), PRIMARY and SECONDARY.
      attributes:
        type === 'aws_route53_record'
          ? {
              name: 'rancher.example.com',
              type: 'A',
              zone_id: 'Z0PRODUCTIONZONE',
              ...(name.startsWith('standby_dns_secondary-')
                ? { set_identifier: 'standby', failover_routing_policy: [{ type: 'SECONDARY' }] }
                : { set_identifier: 'primary', failover_routing_policy: [{ type: 'PRIMARY' }] }),
            }
          : {},
    })),
  ),
};

describe("the failback's module", () => {
  it('restores the backup without a record of the hostname, and forgets (never deletes) what production has and it has not', () => {
    expect(failbackJson.resource.aws_route53_record).toBeUndefined();
    expect(failbackJson.variable.rancher_backup_restore_encryption_config).toBeDefined();
    const safe = heldOut(failbackJson, state, {
      productionDir: '/p/cdktf.out/stacks/rke-ha',
      productionJson,
      moduleDir: '/p/failback.out/cdktf.out/stacks/rke-ha',
    }) as any;
    const removed = safe.removed.map((r: any) => r.from).sort();
    // What the synthesized failback leaves out of production's module: the records (the PRIMARY and its SECONDARY
    // forms), and the first login the restore replaces. The failover routing's alarm and health check stay configured.
    expect(removed).toEqual([
      expect.stringMatching(/^aws_route53_record\.dns_record_/),
      expect.stringMatching(/^aws_route53_record\.standby_dns_secondary-0-a_/),
      expect.stringMatching(/^aws_route53_record\.standby_dns_secondary-0-alias_/),
      expect.stringMatching(/^rancher2_bootstrap\.first-login_bootstrap_/),
      expect.stringMatching(/^terraform_data\.first-login_trusted-ca_/),
    ]);
    for (const r of safe.removed) expect(r.lifecycle).toEqual({ destroy: false });
    // The module's own (the first login's) once: Terraform refuses two blocks for one resource.
    expect(new Set(removed).size).toBe(removed.length);
    // Every resource of production's state is configured or forgotten: none is left for Terraform to delete.
    const configured = new Set(
      Object.entries(safe.resource).flatMap(([type, byName]: [string, any]) => Object.keys(byName).map((n) => `${type}.${n}`)),
    );
    expect(state.resources.filter((r) => !configured.has(r.address) && !removed.includes(r.address))).toEqual([]);
  });

  it("names production's local state file from its own folder", () => {
    const local = { ...productionJson, terraform: { ...productionJson.terraform, backend: { local: { path: 'terraform.rke-ha.tfstate' } } } };
    const safe = heldOut(failbackJson, state, {
      productionDir: '/p/cdktf.out/stacks/rke-ha',
      productionJson: local,
      moduleDir: '/p/failback.out/cdktf.out/stacks/rke-ha',
    });
    expect(safe.terraform?.backend).toEqual({ local: { path: '../../../../cdktf.out/stacks/rke-ha/terraform.rke-ha.tfstate' } });
  });

  it("finds the hostname's A and AAAA records in production's state, with their failover role and set identifier (their import id's end)", () => {
    const held = { zoneId: 'Z0PRODUCTIONZONE', name: 'rancher.example.com', type: 'A' };
    expect(hostnameRecords(state, 'rancher.example.com')).toEqual([
      { ...held, address: expect.stringMatching(/^aws_route53_record\.dns_record_/), failover: { role: 'PRIMARY', setIdentifier: 'primary' } },
      {
        ...held,
        address: expect.stringMatching(/^aws_route53_record\.standby_dns_secondary-0-a_/),
        failover: { role: 'SECONDARY', setIdentifier: 'standby' },
      },
      {
        ...held,
        address: expect.stringMatching(/^aws_route53_record\.standby_dns_secondary-0-alias_/),
        failover: { role: 'SECONDARY', setIdentifier: 'standby' },
      },
    ]);
    expect(hostnameRecords(state, 'other.example.com')).toEqual([]);
  });

  it('k8s-ha: holds its one record out by k8sHa.dns.hostnameRecord, and takes a CNAME with its values as the state has them', () => {
    const k8s = failbackSettings({ ...PRODUCTION, k8sHa: { dns: { target: 'lb.example.net' } } }, CHOICE, 'k8s-ha');
    expect(k8s).toMatchObject({
      k8sHa: { dns: { target: 'lb.example.net', hostnameRecord: false } },
      backups: { restoreFrom: { file: CHOICE.file } },
    });
    expect('rkeHa' in k8s).toBe(false);
    const cname = {
      address: 'aws_route53_record.dns_cname_0A1B2C[0]',
      mode: 'managed' as const,
      type: 'aws_route53_record',
      name: 'dns_cname_0A1B2C',
      attributes: { name: 'rancher.example.com', type: 'CNAME', zone_id: 'Z0', records: ['lb.example.net'], ttl: 60, alias: [] },
    };
    const held = { outputs: {}, resources: [cname] };
    expect(hostnameRecords(held, 'rancher.example.com')).toEqual([]);
    expect(hostnameRecords(held, 'rancher.example.com', 'k8s-ha')).toEqual([
      {
        address: cname.address,
        zoneId: 'Z0',
        name: 'rancher.example.com',
        type: 'CNAME',
        set: { Name: 'rancher.example.com', Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: 'lb.example.net' }] },
      },
    ]);
  });
});

describe("the failback's plan", () => {
  const change = (type: string, ...actions: string[]) => ({ address: `${type}.x`, type, change: { actions } });
  it('may forget the records and change the rest in place', () => {
    expect(
      planProblems([
        change('aws_route53_record', 'forget'),
        change('aws_instance', 'no-op'),
        change('helm_release', 'create'),
        change('aws_lb', 'update'),
      ]),
    ).toEqual([]);
  });
  it('is refused when it deletes, replaces, creates or changes a record, or deletes anything', () => {
    expect(planProblems([change('aws_route53_record', 'delete')])).toEqual([
      "aws_route53_record.x would be deleted: the hostname's records stay out of the apply until the primary's CA is checked",
    ]);
    expect(planProblems([change('aws_route53_record', 'create')])).toHaveLength(1);
    expect(planProblems([change('aws_route53_record', 'update')])).toHaveLength(1);
    expect(planProblems([change('aws_instance', 'delete', 'create')])).toEqual(['aws_instance.x would be replaced']);
    expect(planProblems([change('aws_s3_bucket', 'delete')])).toEqual(['aws_s3_bucket.x would be deleted']);
  });
});
