import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { LocalBackend, TerraformStack } from 'cdktf';
import { configureBaseProviders } from '../../../lib/common/providers';
import { RancherOnExistingCluster } from '../../../lib/deployments/rancher-on-existing-cluster';
import type { RancherOnExistingClusterProps } from '../../../lib/deployments/rancher-on-existing-cluster-props';
import { resources, synthStack } from '../../helpers/synth';
import { runCached } from '../../helpers/memo';

/** A library user's stack: its own providers for a cluster it knows, one RancherOnExistingCluster. */
function platformStack(props: Partial<RancherOnExistingClusterProps> = {}) {
  return synthStack((app) => {
    const stack = new TerraformStack(app, 'platform');
    new LocalBackend(stack, { path: 'terraform.tfstate' });
    configureBaseProviders(stack, { region: 'eu-west-1', tags: {} });
    new KubernetesProvider(stack, 'kubernetes', { configPath: '~/.kube/config', configContext: 'shared' });
    new HelmProvider(stack, 'helm', { kubernetes: { configPath: '~/.kube/config', configContext: 'shared' } });
    new RancherOnExistingCluster(stack, 'rancher', { hostname: 'rancher.acme.io', hostedZone: 'acme.io', ...props });
    return stack;
  }).json;
}

/** platformStack() with the default props, synthesized once for the tests that read it. */
const defaultPlatformStack = () => runCached('platformStack defaults', () => platformStack());

describe("RancherOnExistingCluster in a library user's stack", () => {
  it('installs cert-manager and Rancher through the providers the stack configured, addressed under its id', () => {
    const json = defaultPlatformStack();
    // The charts; the readiness gates are releases too (of the gate chart).
    expect(
      Object.keys(resources(json, 'helm_release'))
        .filter((n) => !n.startsWith('rancher_readiness-gates_'))
        .sort(),
    ).toEqual([
      expect.stringMatching(/^rancher_cert-manager_/),
      expect.stringMatching(/^rancher_rancher-backups_crd-release_/),
      // The first and the recurring Backup: Jobs of the gate chart (lib/rancher/backup-object-jobs.ts).
      expect.stringMatching(/^rancher_rancher-backups_jobs_first-backup_/),
      expect.stringMatching(/^rancher_rancher-backups_jobs_scheduled-backup_/),
      expect.stringMatching(/^rancher_rancher-backups_release_/),
      expect.stringMatching(/^rancher_release_/),
    ]);
    expect(json.provider!.kubernetes).toEqual([expect.objectContaining({ config_context: 'shared' })]);
  });

  it('forgets (never uninstalls) the cert-manager it would have installed, at its own address', () => {
    const json = platformStack({ certManager: { install: false } });
    expect(json.removed).toEqual([{ from: expect.stringMatching(/^helm_release\.rancher_cert-manager_release_/), lifecycle: { destroy: false } }]);
  });

  it('refuses an IngressClass name Kubernetes would refuse, naming the prop', () => {
    expect(() => platformStack({ ingress: { className: 'Not_Valid' } })).toThrow(/- ingress\.className: expected a Kubernetes object name/);
  });

  // Accepted at d0e353c: the operator then wrote with an IAM user's key beside a named EKS cluster.
  it('refuses an EKS cluster named with the backup credentials left at servers, in its props words', () => {
    expect(() => platformStack({ eks: { clusterName: 'prod-eks' } })).toThrow(
      /- backups\.credentials: is servers \(the default\).* while eks\.clusterName names the EKS cluster "prod-eks": set irsa or pod-identity/,
    );
    expect(() => platformStack({ eks: { clusterName: 'prod-eks' }, backups: { credentials: 'accessKey' } })).not.toThrow();
  });

  // Accepted at d0e353c: the record then pointed at Traefik's load balancer, which does not serve Rancher's Ingress.
  it("refuses a class of one controller with the other's Service, in its props' words", () => {
    expect(() => platformStack({ ingress: { className: 'nginx', service: { namespace: 'traefik', name: 'traefik' } } })).toThrow(
      /- ingress\.service: is traefik\/traefik, Traefik's Service, and ingress\.className "nginx" is ingress-nginx's: .* leave ingress\.service out/,
    );
    expect(() => platformStack({ ingress: { service: { namespace: 'kube-system', name: 'rke2-ingress-nginx-controller' } } })).toThrow(
      /- ingress\.service: is kube-system\/rke2-ingress-nginx-controller, ingress-nginx's Service, and the default class "traefik" is Traefik's/,
    );
  });
});

describe('RancherOnExistingCluster in a stack without a default AWS provider, and its plain-JavaScript props', () => {
  it('is refused at synth: its record would go to whatever region the environment names', () => {
    expect(() =>
      synthStack((app) => {
        const stack = new TerraformStack(app, 'platform');
        configureBaseProviders(stack, { region: 'eu-west-1', tags: {} });
        stack.node.tryRemoveChild('aws');
        new KubernetesProvider(stack, 'kubernetes', { configPath: '~/.kube/config' });
        new HelmProvider(stack, 'helm', { kubernetes: { configPath: '~/.kube/config' } });
        new RancherOnExistingCluster(stack, 'rancher', { hostname: 'rancher.acme.io', hostedZone: 'acme.io', region: 'eu-west-1' });
        return stack;
      }),
    ).toThrow(/RancherOnExistingCluster platform\/rancher: the stack has no default AWS provider/);
  });

  it('refuses a section that is not a mapping with the settings file message', () => {
    expect(() => platformStack({ ingress: 'nginx' } as unknown as Partial<RancherOnExistingClusterProps>)).toThrow(
      /- ingress: expected a mapping \(got "nginx"\)/,
    );
  });

  it('declares the Terraform version floor in the stack', () => {
    expect(defaultPlatformStack().terraform.required_version).toBe('>= 1.10');
  });
});

describe('RancherOnExistingCluster grows by methods', () => {
  it('installs a chart and objects once Rancher answers, and adds an alarm on any metric', () => {
    const json = synthStack((app) => {
      const stack = new TerraformStack(app, 'platform');
      new LocalBackend(stack, { path: 'terraform.tfstate' });
      configureBaseProviders(stack, { region: 'eu-west-1', tags: {} });
      new KubernetesProvider(stack, 'kubernetes', { configPath: '~/.kube/config' });
      new HelmProvider(stack, 'helm', { kubernetes: { configPath: '~/.kube/config' } });
      const rancher = new RancherOnExistingCluster(stack, 'rancher', { hostname: 'rancher.acme.io', hostedZone: 'acme.io' });
      rancher.addHelmChart('logging', { chart: 'rancher-logging', repository: 'https://charts.rancher.io', namespace: 'cattle-logging-system' });
      rancher.addManifest('team', [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } }]);
      rancher.addAlarm('nodes-cpu', {
        metric: {
          namespace: 'ContainerInsights',
          metricName: 'node_cpu_utilization',
          dimensions: { ClusterName: 'shared' },
          statistic: 'Average',
          period: 300,
        },
        threshold: 80,
      });
      return stack;
    }).json;
    const releases = resources(json, 'helm_release');
    const ping = expect.stringMatching(/^data\.http\.rancher_rancher-readiness_ping_/);
    const chart = Object.entries(releases).find(([name]) => name.startsWith('rancher_helm-chart-logging_'))![1];
    expect(chart).toMatchObject({ name: 'logging', chart: 'rancher-logging', namespace: 'cattle-logging-system', depends_on: [ping] });
    const objects = Object.entries(releases).find(([name]) => name.startsWith('rancher_manifest-team_'))![1];
    expect(JSON.parse(objects.values[0]).manifest).toBe('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a');
    const alarm = Object.entries(resources(json, 'aws_cloudwatch_metric_alarm')).find(([name]) => name.startsWith('rancher_alarms_nodes-cpu_'))![1];
    expect(alarm).toMatchObject({ alarm_name: 'rancher-platform-nodes-cpu', namespace: 'ContainerInsights', depends_on: [ping] });
  });
});
