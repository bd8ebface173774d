import { RancherOnExistingCluster } from '../../../lib/deployments/rancher-on-existing-cluster';
import { RancherOnRke } from '../../../lib/deployments/rancher-on-rke';
import { settingsProblems, unsynthesizedApp } from '../../helpers/synth';
import { TerraformStack } from 'cdktf';
import { configureBaseProviders } from '../../../lib/common/providers';

const problemsOf = (input: Record<string, unknown>) => settingsProblems(input).filter((p) => p.field.startsWith('standby'));

describe('standby.region', () => {
  it('is optional: no standby by default', () => {
    expect(settingsProblems({})).toEqual([]);
    expect(settingsProblems({ region: 'eu-west-1', standby: { region: 'eu-central-1' } })).toEqual([]);
  });

  it("refuses the deployment's own region, naming the field, the value and the fix", () => {
    expect(problemsOf({ region: 'eu-west-1', standby: { region: 'eu-west-1' } })).toEqual([
      {
        field: 'standby.region',
        value: 'eu-west-1',
        message: expect.stringMatching(
          /is the deployment's own region \(region eu-west-1\).*name another region of partition aws, or remove standby.region/,
        ),
      },
    ]);
  });

  it.each([
    ['us-east-1', 'cn-north-1', 'aws-cn', 'aws'],
    ['us-east-1', 'us-gov-west-1', 'aws-us-gov', 'aws'],
    ['us-gov-east-1', 'us-west-2', 'aws', 'aws-us-gov'],
    ['cn-northwest-1', 'us-gov-west-1', 'aws-us-gov', 'aws-cn'],
  ])('refuses another partition: region %s, standby %s', (region, standby, standbyPartition, partition) => {
    expect(problemsOf({ region, standby: { region: standby } })).toEqual([
      {
        field: 'standby.region',
        value: standby,
        message: expect.stringMatching(
          new RegExp(`is in partition ${standbyPartition}, and the deployment's region ${region} in ${partition}: .*name a region of ${partition}`),
        ),
      },
    ]);
  });

  it('takes a region of the same partition in China and GovCloud too', () => {
    expect(problemsOf({ region: 'cn-north-1', standby: { region: 'cn-northwest-1' } })).toEqual([]);
    expect(problemsOf({ region: 'us-gov-west-1', standby: { region: 'us-gov-east-1' } })).toEqual([]);
  });

  it.each([
    ['eu-west-9', /is not an AWS region \(did you mean eu-west-[0-9]\?\); regions: /],
    ['Europe', /expected an AWS region such as eu-west-1/],
    ['eusc-de-east-1', /European Sovereign Cloud/],
  ])('refuses a region the schema does not know: %s', (standby, message) => {
    expect(problemsOf({ region: 'eu-west-1', standby: { region: standby } })).toEqual([
      { field: 'standby.region', value: standby, message: expect.stringMatching(message) },
    ]);
  });

  it('refuses unknown fields of the section', () => {
    expect(problemsOf({ standby: { regoin: 'us-west-2' } }).map((p) => p.field)).toEqual(['standby.regoin']);
  });

  // A failover restores the copy's newest Rancher backup and moves the hostname's record (docs/failover.md): a standby
  // is refused where neither can happen, with every other problem of the file.
  it('refuses a standby with backups off or a wildcard name, naming both fields and the ways out, all at once', () => {
    expect(problemsOf({ region: 'eu-west-1', standby: { region: 'eu-west-1' }, backups: { enabled: false }, dns: { mode: 'wildcard' } })).toEqual([
      {
        field: 'standby.region',
        value: 'eu-west-1',
        message: expect.stringMatching(/names a standby, and backups\.enabled is false: .*set backups\.enabled: true, or remove standby\.region$/),
      },
      {
        field: 'standby.region',
        value: 'eu-west-1',
        message: expect.stringMatching(
          /names a standby, and dns\.mode wildcard names Rancher <a-b-c-d>\.sslip\.io.* cannot move .*remove standby\.region, or set dns\.mode: route53/,
        ),
      },
      { field: 'standby.region', value: 'eu-west-1', message: expect.stringMatching(/is the deployment's own region/) },
    ]);
    expect(problemsOf({ region: 'eu-west-1', standby: { region: 'eu-central-1' }, dns: { mode: 'route53' }, backups: { enabled: true } })).toEqual(
      [],
    );
    // Without a standby, either is a deployment of its own.
    expect(problemsOf({ region: 'eu-west-1', backups: { enabled: false }, dns: { mode: 'wildcard' } })).toEqual([]);
  });

  it("is refused with backups off or a wildcard name by both constructs' own props, in their words", () => {
    const stack = new TerraformStack(unsynthesizedApp(), 'rke-ha');
    configureBaseProviders(stack, { region: 'eu-west-1' });
    const standby = { region: 'eu-central-1' };
    expect(
      () => new RancherOnRke(stack, 'wildcard', { region: 'eu-west-1', adminCidrs: ['10.8.0.0/24'], dns: { mode: 'wildcard' }, standby }),
    ).toThrow(/standby\.region[^\n]*names a standby, and dns\.mode wildcard/);
    expect(
      () => new RancherOnRke(stack, 'no-backups', { region: 'eu-west-1', adminCidrs: ['10.8.0.0/24'], backups: { enabled: false }, standby }),
    ).toThrow(/standby\.region[^\n]*names a standby, and backups\.enabled is false/);
    expect(
      () =>
        new RancherOnExistingCluster(stack, 'existing', {
          hostname: 'rancher.acme.io',
          hostedZone: 'acme.io',
          region: 'eu-west-1',
          backups: { enabled: false },
          standby,
        }),
    ).toThrow(/standby\.region[^\n]*names a standby, and backups\.enabled is false/);
  });

  it("is refused by RancherOnRke's own props in their words (standby.region), as the settings file refuses it", () => {
    const stack = new TerraformStack(unsynthesizedApp(), 'rke-ha');
    configureBaseProviders(stack, { region: 'eu-west-1' });
    expect(() => new RancherOnRke(stack, 'rancher', { region: 'eu-west-1', adminCidrs: ['10.8.0.0/24'], standby: { region: 'eu-west-1' } })).toThrow(
      /standby\.region[^\n]*is the deployment's own region/,
    );
  });
});

// standby.k8sHa: the cluster in the standby region a failover of k8s-ha installs Rancher onto (docs/standby.md).
describe('standby.k8sHa', () => {
  const REGION = { region: 'eu-west-1' };
  const CLUSTER = { access: { kubeconfig: { path: '~/.kube/standby' } } };
  const standbyProblems = (standby: Record<string, unknown>, more: Record<string, unknown> = {}) =>
    problemsOf({ ...REGION, ...more, standby: { region: 'eu-central-1', ...standby } });

  it("takes k8sHa's access, ingress, EKS name and record target, with access given", () => {
    expect(
      standbyProblems({
        k8sHa: {
          access: { kubeconfig: { path: '~/.kube/config', context: 'standby' } },
          ingress: { className: 'nginx', service: { namespace: 'ingress-nginx', name: 'ingress-nginx-controller' } },
          eks: { clusterName: 'standby-eks' },
          dns: { target: '203.0.113.9' },
        },
      }),
    ).toEqual([]);
    expect(standbyProblems({ k8sHa: { access: { variables: true } } }, { k8sHa: { access: { variables: true } } })).toEqual([]);
  });

  it('refuses a standby cluster without standby.region, naming the fix', () => {
    expect(problemsOf({ ...REGION, standby: { k8sHa: CLUSTER } })).toEqual([
      {
        field: 'standby.k8sHa',
        value: expect.anything(),
        message: expect.stringMatching(/standby\.region is unset.*set standby\.region to its region, or remove standby\.k8sHa/),
      },
    ]);
  });

  it("refuses one without access: it has no default (~/.kube/config is production's)", () => {
    expect(standbyProblems({ k8sHa: { ingress: { className: 'traefik' } } })).toEqual([
      {
        field: 'standby.k8sHa.access',
        value: undefined,
        message: expect.stringMatching(
          /is required with standby\.region eu-central-1: it has no default \(~\/\.kube\/config is production's cluster\); set kubeconfig: \{ path, context \}/,
        ),
      },
    ]);
  });

  it("refuses production's own kubeconfig and context, defaults included, and takes another context of the same file", () => {
    const same = (standby: unknown, production?: unknown) =>
      standbyProblems(
        { k8sHa: { access: { kubeconfig: standby } } },
        production === undefined ? {} : { k8sHa: { access: { kubeconfig: production } } },
      );
    expect(same({})).toEqual([
      {
        field: 'standby.k8sHa.access.kubeconfig',
        value: { path: '~/.kube/config' },
        message: expect.stringMatching(
          /is k8sHa\.access's kubeconfig ~\/\.kube\/config, its current context: production's cluster.*name the cluster in eu-central-1/,
        ),
      },
    ]);
    expect(same({ path: '~/prod.yaml', context: 'prod' }, { path: '~/prod.yaml', context: 'prod' }).map((p) => p.message)).toEqual([
      expect.stringContaining("is k8sHa.access's kubeconfig ~/prod.yaml, context prod"),
    ]);
    expect(same({ path: '~/prod.yaml', context: 'standby' }, { path: '~/prod.yaml', context: 'prod' })).toEqual([]);
    expect(same({ context: 'standby' })).toEqual([]);
  });

  it("holds the standby cluster's EKS name and ingress to k8sHa's rules, in its own words", () => {
    expect(standbyProblems({ k8sHa: CLUSTER }, { backups: { credentials: 'irsa' }, k8sHa: { eks: { clusterName: 'prod' } } })).toEqual([
      {
        field: 'standby.k8sHa.eks.clusterName',
        value: undefined,
        message: expect.stringContaining('is required with backups.credentials irsa'),
      },
    ]);
    expect(
      standbyProblems({ k8sHa: { ...CLUSTER, ingress: { className: 'nginx', service: { namespace: 'traefik', name: 'traefik' } } } }).map(
        (p) => p.field,
      ),
    ).toEqual(['standby.k8sHa.ingress.service']);
    expect(
      standbyProblems({ k8sHa: { ...CLUSTER, dns: { target: 'ingress.example.net' } } }, { hostname: 'example.com', hostedZone: 'example.com' }).map(
        (p) => `${p.field}: ${p.message}`,
      ),
    ).toEqual([expect.stringMatching(/^standby\.k8sHa\.dns\.target: makes the k8s-ha record .* a CNAME/)]);
  });

  it("refuses unknown fields, and a hostnameRecord (a standby never records the name: the failover moves production's)", () => {
    expect(standbyProblems({ k8sHa: { ...CLUSTER, acess: {} } }).map((p) => p.field)).toEqual(['standby.k8sHa.acess']);
    expect(standbyProblems({ k8sHa: { ...CLUSTER, dns: { hostnameRecord: false } } }).map((p) => p.field)).toEqual([
      'standby.k8sHa.dns.hostnameRecord',
    ]);
  });

  it("is not among RancherOnRke's props (k8s-ha's alone), which refuse it naming the field", () => {
    const stack = new TerraformStack(unsynthesizedApp(), 'rke-ha');
    configureBaseProviders(stack, { region: 'eu-west-1' });
    expect(
      () =>
        new RancherOnRke(stack, 'rancher', {
          region: 'eu-west-1',
          adminCidrs: ['10.8.0.0/24'],
          standby: { region: 'eu-central-1', k8sHa: CLUSTER } as never,
        }),
    ).toThrow(/standby\.k8sHa: unknown prop; known here: region/);
  });
});
