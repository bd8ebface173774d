import { parse as parseYaml } from 'yaml';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SettingsError } from '../lib/config/errors';
import { loadSettings, parseSettingsText } from '../app/config/load';
import type { SettingsInput } from '../app/config/settings-schema';
import { dataSources, resources, unsynthesizedApp, userDataOf } from './helpers/synth';
import { repositoryCharts } from './helpers/gates';
import { buildStack, synthSettings } from './helpers/variants';

/**
 * The example settings files beside the quick start (examples/*.yaml): each is
 * valid settings, builds all three stacks as the app does, and its rke-ha
 * stack has what the example is about. Placeholders a person must replace are
 * refused by the loader, naming the field.
 */

const EXAMPLES = resolve(__dirname, '..', 'examples');
const files = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const input = (file: string) => {
  const text = readFileSync(join(EXAMPLES, file), 'utf8');
  parseSettingsText(text, file, EXAMPLES);
  // The YAML as read, without defaults: what the stacks are built from in the tests.
  return parseYaml(text) as SettingsInput;
};

describe('examples/*.yaml', () => {
  it('holds the starting points the README lists', () => {
    expect(files).toEqual(['air-gap-proxy.yaml', 'existing-vpc-private-nodes.yaml', 'ha-route53-letsencrypt.yaml', 'k3s-rds.yaml', 'no-domain.yaml']);
  });

  it.each(files)('%s: builds rke-ha, k8s-ha and docker, as the app does', (file) => {
    const settings = input(file);
    for (const stack of ['rke-ha', 'k8s-ha', 'docker'] as const) expect(() => buildStack(unsynthesizedApp(), stack, settings)).not.toThrow();
  });

  it.each([
    ['no-domain.yaml', undefined],
    ['k3s-rds.yaml', undefined],
    ['existing-vpc-private-nodes.yaml', undefined],
    ['air-gap-proxy.yaml', undefined],
    ['ha-route53-letsencrypt.yaml', 'rancher.tls.acme.email'],
  ])('%s: through the loader, refused only for the placeholder a person must replace (%s)', (file, field) => {
    let refused: SettingsError | undefined;
    try {
      loadSettings({ env: { RANCHER_CONFIG: join(EXAMPLES, file) } });
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error;
      refused = error;
    }
    expect(refused?.problems.map((p) => p.field)).toEqual(field === undefined ? undefined : [field]);
  });

  it("ha-route53-letsencrypt: Let's Encrypt through cert-manager at the ingress, an alias record in the zone of the variables", () => {
    const { json } = synthSettings('rke-ha', input('ha-route53-letsencrypt.yaml'));
    // The charts (the readiness gates are releases of the gate chart in the module's assets/).
    expect(repositoryCharts(json)).toEqual(['cert-manager', 'rancher', 'rancher-backup', 'rancher-backup-crd']);
    expect(JSON.stringify(resources(json, 'helm_release'))).toContain('letsEncrypt');
    const [record] = Object.values(resources(json, 'aws_route53_record'));
    expect(record).toEqual(expect.objectContaining({ name: '${var.rancher_hostname}', alias: expect.anything() }));
  });

  it('k3s-rds: two K3s servers on a Multi-AZ PostgreSQL RDS instance', () => {
    const { json } = synthSettings('rke-ha', input('k3s-rds.yaml'));
    expect(Object.keys(resources(json, 'aws_instance'))).toHaveLength(2);
    const [db] = Object.values(resources(json, 'aws_db_instance'));
    expect(db).toEqual(expect.objectContaining({ engine: 'postgres', multi_az: true, backup_retention_period: 14, deletion_protection: true }));
  });

  it('existing-vpc-private-nodes: no VPC created, the servers in the given private subnets', () => {
    const { json } = synthSettings('rke-ha', input('existing-vpc-private-nodes.yaml'));
    expect(resources(json, 'aws_vpc')).toEqual({});
    // Each server in the subnet read (and checked) by id.
    const subnets = dataSources(json, 'aws_subnet');
    const placed = Object.values(resources(json, 'aws_instance')).map(
      (i) => subnets[String(i.subnet_id).replace(/^\$\{data\.aws_subnet\.(.+)\.id\}$/, '$1')]?.id,
    );
    expect(placed.sort()).toEqual(['subnet-0b000000000000001', 'subnet-0b000000000000002', 'subnet-0b000000000000003']);
  });

  it('air-gap-proxy: the nodes boot with the proxy and the mirrors', () => {
    const { json } = synthSettings('rke-ha', input('air-gap-proxy.yaml'));
    const [instance] = Object.values(resources(json, 'aws_instance'));
    const userData = userDataOf(json, instance);
    expect(userData).toContain('http://proxy.corp.internal:3128');
    expect(userData).toContain('registry.corp.internal:5000');
  });
});
