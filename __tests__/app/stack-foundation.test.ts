import { DataHttp } from '@cdktf/provider-http/lib/data-http';
import { Fn, TerraformStack } from 'cdktf';
import { rancherOutputs, stackFoundation, type StackFoundation } from '../../app/stack-foundation';
import { DEPLOYER_IP_URL } from '../../lib/common/private/admin-networks';
import type { Settings } from '../../app/config/settings-schema';
import { dataSources, settings, synthStack } from '../helpers/synth';

/** A stack named like a real one, with the foundation and, optionally, the Rancher outputs after a stand-in probe. */
function synth(s: Settings, options: { adminAccess?: boolean; outputs?: boolean; stackId?: string } = {}) {
  let foundation!: StackFoundation;
  const result = synthStack((app) => {
    const stack = new TerraformStack(app, options.stackId ?? 'rke-ha');
    foundation = stackFoundation(stack, s, options.adminAccess === undefined ? {} : { adminAccess: options.adminAccess });
    if (options.outputs) {
      const ping = new DataHttp(stack, 'ping', { url: `https://${foundation.inputs.hostname}/ping` });
      rancherOutputs(stack, { url: Fn.trimsuffix(ping.url, '/ping'), bootstrapPassword: '${random_password.bootstrap.result}' });
    }
    return stack;
  });
  return { ...result, foundation };
}

describe('stackFoundation (defaults)', () => {
  const { json, text, foundation } = synth(settings(), { outputs: true });

  it('names the deployment <settings.name>-<stack id>', () => {
    expect(foundation.name).toBe('rancher-rke-ha');
  });

  it('sets an explicit local backend, relative to the stack directory, in the project root', () => {
    expect(json.terraform.backend).toEqual({ local: { path: '../../../terraform.rke-ha.tfstate' } });
    expect(text).not.toContain(process.cwd());
  });

  it('configures aws (region, deployment tag), tls, random and http', () => {
    expect(json.provider).toEqual({
      aws: [{ region: 'us-east-1', default_tags: [{ tags: { 'rancher-aws:deployment': 'rancher-rke-ha' } }] }],
      tls: [{}],
      random: [{}],
      http: [{}],
    });
  });

  it('declares the hostname, zone, admin CIDR and deployer variables, required where the settings leave them out', () => {
    expect(Object.keys(json.variable ?? {}).sort()).toEqual([
      'admin_cidrs',
      'deployer_arns',
      'rancher_hostname',
      'read_deployer_session',
      'route53_zone_name',
    ]);
    expect(json.variable!.deployer_arns.default).toEqual([]);
    expect(json.variable!.rancher_hostname).not.toHaveProperty('default');
    expect(json.variable!.route53_zone_name).not.toHaveProperty('default');
    expect(json.variable!.admin_cidrs.default).toEqual([]);
    expect(foundation.inputs.hostname).toMatch(/^\$\{TfToken\[/);
  });

  it('looks up the deployer address only when admin_cidrs is empty', () => {
    expect(dataSources(json, 'http').deployer_ip).toMatchObject({ url: DEPLOYER_IP_URL, count: '${length(var.admin_cidrs) == 0 ? 1 : 0}' });
  });

  it('derives rancher_url from the readiness probe, so it exists only once Rancher answered', () => {
    expect(json.output!.rancher_url).toEqual({
      value: '${trimsuffix(data.http.ping.url, "/ping")}',
      description: 'Rancher, answering /ping when the apply finished',
    });
    expect(dataSources(json, 'http').ping.url).toBe('https://${var.rancher_hostname}/ping');
  });

  it('outputs the bootstrap password as sensitive, naming rancher_admin_password as the login while the bootstrap is on', () => {
    expect(json.output!.rancher_bootstrap_password).toEqual({
      value: '${random_password.bootstrap.result}',
      sensitive: true,
      description:
        'The generated password Rancher starts with. With the first-login bootstrap on (the default) log in with rancher_admin_password, the same value; with it off, log in once with this one (terraform output -raw rancher_bootstrap_password)',
    });
  });

  it('matches the snapshot', () => {
    // The serializer masks provider versions only in documents with a `resource` key; the foundation has none.
    expect(json.resource).toBeUndefined();
    expect({ ...json, resource: {} }).toMatchSnapshot();
  });
});

describe('stackFoundation (settings given)', () => {
  const { json } = synth(
    settings({
      name: 'acme',
      region: 'eu-central-1',
      hostname: 'rancher.acme.io',
      hostedZone: 'acme.io',
      adminCidrs: ['10.8.0.0/24'],
      tags: { team: 'platform', env: 'prod' },
      backend: { type: 's3', bucket: 'acme-terraform-state' },
    }),
    { stackId: 'docker' },
  );

  it('uses the S3 backend with the stack key, the stack region, encryption and locking', () => {
    expect(json.terraform.backend).toEqual({
      s3: { bucket: 'acme-terraform-state', key: 'rancher/docker.tfstate', region: 'eu-central-1', encrypt: true, use_lockfile: true },
    });
  });

  it('adds the user tags beside the deployment tag', () => {
    expect(json.provider!.aws).toEqual([
      { region: 'eu-central-1', default_tags: [{ tags: { 'rancher-aws:deployment': 'acme-docker', team: 'platform', env: 'prod' } }] },
    ]);
  });

  it('takes the variable defaults from the settings', () => {
    expect(json.variable!.rancher_hostname.default).toBe('rancher.acme.io');
    expect(json.variable!.route53_zone_name.default).toBe('acme.io');
    expect(json.variable!.admin_cidrs.default).toEqual(['10.8.0.0/24']);
  });

  it('declares no outputs of its own', () => {
    expect(json.output).toBeUndefined();
  });
});

describe('stackFoundation (adminAccess: false)', () => {
  const { json, foundation } = synth(settings({ backend: { type: 'local', path: 'state/<stack>.tfstate' } }), {
    adminAccess: false,
    stackId: 'k8s-ha',
  });

  it('uses a custom relative local state path, <stack> replaced', () => {
    expect(json.terraform.backend).toEqual({ local: { path: 'state/k8s-ha.tfstate' } });
  });

  it('declares no admin_cidrs, no effective local and no deployer address lookup', () => {
    expect(Object.keys(json.variable ?? {}).sort()).toEqual(['rancher_hostname', 'route53_zone_name']);
    expect(json.locals ?? {}).not.toHaveProperty('admin_cidrs_effective');
    expect(json.data ?? {}).not.toHaveProperty('http');
    expect(json.provider).toHaveProperty('http');
  });

  it('refuses to hand out admin CIDRs', () => {
    expect(() => foundation.inputs.adminCidrs).toThrow(/no admin access/);
  });
});
