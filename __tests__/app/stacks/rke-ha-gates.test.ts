import { DEFAULT_VERSIONS, primeOnly } from '../../../lib/config/versions';
import { TRAEFIK_READ_TIMEOUT_SECONDS } from '../../../lib/kubernetes/private/ingress-controller-config';
import { parse } from 'yaml';
import type { SettingsInput } from '../../../app/config/settings-schema';
import { dataSources, dependencyClosure, resources, userDataOf, type TerraformJson } from '../../helpers/synth';
import { synthSettings, RKE_HA_STACK } from '../../helpers/variants';
import { gates as gateReleases } from '../../helpers/gates';
import { renderTemplate } from '../../helpers/validators';
import { synth, joinTokenParameters } from './rke-ha-gates.setup';

/**
 * The first apply, gate by gate, for every TLS mode and issuer, both
 * distributions (and both RKE2 ingress controllers), one server and the HA
 * count: the charts wait for every server, the Rancher release for the
 * ingress controller's admission, the final probe for cert-manager's
 * certificate, and each gate has the budget of its setting. The server count
 * changes only the servers gate's count (and the targets): every case at the
 * HA count, and one server for the first case of each TLS mode (so for each
 * distribution and controller too) rather than all of them, each a stack synth.
 */
const TLS = [
  { mode: 'ingress', issuer: 'rancher' },
  { mode: 'ingress', issuer: 'blank' },
  { mode: 'ingress', issuer: 'blank', privateCA: true },
  { mode: 'ingress', issuer: 'ca' },
  { mode: 'ingress', issuer: 'acme', acme: { email: 'ops@example.com' } },
  { mode: 'external', issuer: 'blank' },
  { mode: 'external', issuer: 'ca' },
  { mode: 'external', issuer: 'acme' },
  { mode: 'rancher', issuer: 'rancher' },
  { mode: 'rancher', issuer: 'ca' },
  { mode: 'rancher', issuer: 'acme', acme: { email: 'ops@example.com' } },
] as const;

interface Variant {
  readonly name: string;
  readonly input: SettingsInput;
  readonly servers: number;
  readonly distribution: 'rke2' | 'k3s';
  readonly controller: 'ingress-nginx' | 'traefik';
  readonly certManager: boolean;
  readonly alb: boolean;
}

function nginxInput(tls: (typeof TLS)[number], servers: number): SettingsInput {
  return { rancher: { tls }, rkeHa: { ...(servers === 3 ? {} : { nodeCount: 1 as const }), ingressController: 'ingress-nginx' } };
}

const variants: Variant[] = [];
for (const [i, tls] of TLS.entries()) {
  const certManager = tls.mode !== 'external' && tls.issuer !== 'blank';
  const alb = tls.mode === 'external';
  const firstOfMode = TLS.findIndex((t) => t.mode === tls.mode) === i;
  for (const servers of firstOfMode ? [1, 3] : [3]) {
    variants.push({
      name: `rke2 nginx ${tls.mode}+${tls.issuer}${'privateCA' in tls ? '+privateCA' : ''} x${servers}`,
      // ingress-nginx, named as a deployment created with it names it (Traefik is the default in every mode).
      input: nginxInput(tls, servers),
      servers,
      distribution: 'rke2',
      controller: 'ingress-nginx',
      certManager,
      alb,
    });
    variants.push({
      name: `rke2 traefik ${tls.mode}+${tls.issuer}${'privateCA' in tls ? '+privateCA' : ''} x${servers}`,
      // The default controller: the file leaves it out (and the HA count: a present rkeHa section is another settings
      // input, another synth).
      input: servers === 3 ? { rancher: { tls } } : { rancher: { tls }, rkeHa: { nodeCount: 1 } },
      servers,
      distribution: 'rke2',
      controller: 'traefik',
      certManager,
      alb,
    });
    // K3s (Traefik behind ServiceLB) supports TLS at the ingress only.
    if (tls.mode === 'ingress') {
      variants.push({
        name: `k3s ${tls.issuer} x${servers}`,
        input: { rancher: { tls }, rkeHa: { nodeCount: servers as 1 | 3, distribution: 'k3s' } },
        servers,
        distribution: 'k3s',
        controller: 'traefik',
        certManager,
        alb,
      });
    }
  }
}

const gates = (json: TerraformJson) =>
  Object.fromEntries(
    Object.values(gateReleases(json)).map((g) => [g.id.replace('rancher-aws-', ''), { address: `helm_release.${g.address}`, job: g.job }]),
  );
const env = (job: any) => Object.fromEntries(job.spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
const release = (json: TerraformJson, chart: string) => {
  const entry = Object.entries(resources(json, 'helm_release')).find(([, r]) => r.chart === chart);
  return entry && { address: `helm_release.${entry[0]}`, release: entry[1] };
};
const ping = (json: TerraformJson) => `data.http.${Object.entries(dataSources(json, 'http')).find(([, d]) => String(d.url).endsWith('/ping'))![0]}`;

describe.each(variants)('rke-ha first apply: $name', (v) => {
  const json = synth(v.input);
  const g = gates(json);
  const rancher = release(json, 'rancher')!;
  const certManager = release(json, 'cert-manager');

  it('waits for every server before any chart: Ready nodes and, with etcd, voting members with ready API servers', () => {
    expect(env(g['servers-ready'].job)).toMatchObject({
      GATE: 'servers',
      SERVERS: String(v.servers),
      EMBEDDED_ETCD: String(v.distribution === 'rke2'),
    });
    for (const chart of [rancher, certManager].filter(Boolean)) expect(dependencyClosure(json, chart!.address)).toContain(g['servers-ready'].address);
  });

  it('creates the Rancher ingress only once the ingress controller admits one', () => {
    const admission = env(g['ingress-ready'].job);
    if (v.controller === 'ingress-nginx') {
      expect(admission).toMatchObject({ GATE: 'admission', INGRESS_CLASS: 'nginx', WEBHOOK: 'rke2-ingress-nginx-admission' });
    } else {
      expect(admission).toMatchObject({
        GATE: 'admission',
        INGRESS_CLASS: 'traefik',
        CONTROLLER_NAMESPACE: 'kube-system',
        CONTROLLER_KIND: v.distribution === 'k3s' ? 'deployment' : 'daemonset',
        CONTROLLER: v.distribution === 'k3s' ? 'traefik' : 'rke2-traefik',
      });
    }
    expect(dependencyClosure(json, rancher.address)).toContain(g['ingress-ready'].address);
  });

  it("waits for cert-manager's certificate after the release (never inside it), when cert-manager issues one", () => {
    expect(g['certificate-ready'] !== undefined).toBe(v.certManager);
    expect(certManager !== undefined).toBe(v.certManager);
    if (v.certManager) {
      expect(env(g['certificate-ready'].job)).toMatchObject({ GATE: 'certificate', NAMESPACE: 'cattle-system', CERTIFICATE: 'tls-rancher-ingress' });
      expect(dependencyClosure(json, g['certificate-ready'].address)).toContain(rancher.address);
      expect(dependencyClosure(json, ping(json))).toContain(g['certificate-ready'].address);
    }
    expect(rancher.release.values[0]).not.toContain('helm.sh/hook');
  });

  it('gives every wait the budget of its setting, and the charts theirs', () => {
    const deadline = (name: string) => Number(env(g[name].job).DEADLINE_SECONDS);
    expect(deadline('servers-ready')).toBe(25 * 60);
    expect(deadline('ingress-ready')).toBe(10 * 60);
    if (v.certManager) expect(deadline('certificate-ready')).toBe(15 * 60);
    expect(rancher.release).toMatchObject({ timeout: 1200, atomic: true, wait: true });
    if (certManager) expect(certManager.release).toMatchObject({ timeout: 600, wait: true, wait_for_jobs: true });
  });

  it('keeps idle websockets open through the ingress controller and the load balancers', () => {
    const values = rancher.release.values[0] as string;
    if (v.controller === 'ingress-nginx') {
      expect(values).toContain('"nginx.ingress.kubernetes.io/proxy-read-timeout" = "1800"');
    } else {
      expect(values).not.toContain('nginx.ingress.kubernetes.io');
      expect(values).toContain(`"kind" = "HelmChartConfig", "metadata" = {"name" = "${v.distribution === 'k3s' ? 'traefik' : 'rke2-traefik'}"`);
      // Traefik's read timeout bounded (zero reopens CVE-2024-28869), on both entry points.
      expect(values.match(/readTimeout: '600s'/g)).toHaveLength(2);
      expect(values).not.toContain("readTimeout: '0s'");
      // HTTP/3 off on both (GHSA-7ghq-v6jf-g56c: no read timeout there in the pinned Traefik), and no UDP reaches it.
      expect(values.match(/http3:(\\n|\n) +enabled: false/g)).toHaveLength(2);
      // Behind the ALB, Traefik keeps an idle connection longer than the ALB's hour (else a reused one can get a 502).
      if (v.alb) expect(values).toContain("idleTimeout: '3660s'");
      else expect(values).not.toContain('idleTimeout');
    }
    expect(Object.values(resources(json, 'aws_lb_listener')).filter((l) => /UDP|QUIC/.test(String(l.protocol)))).toEqual([]);
    const idle = Object.values(resources(json, 'aws_lb_listener'))
      .filter((l) => l.protocol === 'TCP')
      .map((l) => [l.port, l.tcp_idle_timeout_seconds]);
    expect(idle.sort()).toEqual(
      v.alb
        ? [[6443, 3600]]
        : [
            [443, 3600],
            [6443, 3600],
            [80, undefined],
          ],
    );
  });

  it("reaches Traefik through the Rancher release's values alone: an apply updates that release in place, no server's user data", () => {
    // rke2's helm-controller upgrades Traefik's chart when the HelmChartConfig changes; Rancher's Deployment template
    // carries no checksum of its values (docs/development/traefik-read-timeout.md), so its pods stay.
    const carrying = Object.entries(json.resource ?? {}).flatMap(([type, byName]) =>
      Object.entries(byName as Record<string, unknown>)
        .filter(([, block]) => JSON.stringify(block).includes(`readTimeout: '${TRAEFIK_READ_TIMEOUT_SECONDS}s'`))
        .map(([name]) => `${type}.${name}`),
    );
    expect(carrying).toEqual(v.controller === 'traefik' ? [rancher.address] : []);
    for (const instance of Object.values(resources(json, 'aws_instance'))) expect(userDataOf(json, instance)).not.toContain('respondingTimeouts');
  });

  it("lets destroy get past Rancher's post-delete hook when an app uninstall times out", () => {
    expect(rancher.release.values[0]).toContain('"postDelete" = {"ignoreTimeoutError" = true');
  });

  it("probes /ping only once whatever it goes through exists: every listener, balancer rule and node rule, the ALB's certificate validated", () => {
    const closure = dependencyClosure(json, ping(json));
    const front = [
      ...Object.keys(resources(json, 'aws_lb_listener')).map((n) => `aws_lb_listener.${n}`),
      ...Object.keys(resources(json, 'aws_lb_target_group_attachment')).map((n) => `aws_lb_target_group_attachment.${n}`),
      ...Object.keys(resources(json, 'aws_acm_certificate_validation')).map((n) => `aws_acm_certificate_validation.${n}`),
      // The rules in from the internet and out to the targets: the balancers' own, and the nodes' from a balancer.
      ...Object.keys(resources(json, 'aws_vpc_security_group_ingress_rule'))
        .filter((n) => /^(application-load-balancer|load-balancer)_|from-alb|public-/.test(n))
        .map((n) => `aws_vpc_security_group_ingress_rule.${n}`),
      ...Object.keys(resources(json, 'aws_vpc_security_group_egress_rule'))
        .filter((n) => /^application-load-balancer_/.test(n))
        .map((n) => `aws_vpc_security_group_egress_rule.${n}`),
    ];
    // 443, 80 and 6443 on the NLB; with an ALB, 443 and 80 there and 6443 on the NLB.
    expect(front.filter((a) => a.includes('listener'))).toHaveLength(3);
    // ACM validates the certificate it issues (issuer acme); an imported one needs no validation.
    expect(front.some((a) => a.startsWith('aws_acm_certificate_validation.'))).toBe(v.alb && v.input.rancher?.tls?.issuer === 'acme');
    expect(front.filter((a) => !closure.has(a))).toEqual([]);
  });
});

describe('rke-ha first apply: the join token and the snapshots', () => {
  const json = synth({});
  const { token, ca } = joinTokenParameters(json);

  it('pins the cluster CA in the join token: K10, the SHA-256 of the CA parameter a server writes byte for byte, the secret', () => {
    expect(token.value).toBe(`\${format("K10%s::server:%s", sha256(${ca.value.slice(2, -1)}), random_password.join-token.result)}`);
  });

  it('sets the S3 retention explicitly, one cluster-wide count that no server count changes (nodeCount 1 and 3 alike)', () => {
    const configs = (input: SettingsInput) => {
      const synthesized = synthSettings(RKE_HA_STACK, input).json;
      return Object.values(resources(synthesized, 'aws_instance')).map((server) => {
        const files = parse(renderTemplate(userDataOf(synthesized, server), (e) => `value-of-${e}`)).write_files as {
          path: string;
          content: string;
        }[];
        return files.find((f) => f.path === '/etc/rancher/rke2/config.yaml')!.content;
      });
    };
    const three = configs({});
    const one = configs({ rkeHa: { nodeCount: 1 } });
    expect([three.length, one.length]).toEqual([3, 1]);
    expect(parse(three[0])).toMatchObject({ 'etcd-snapshot-retention': 28, 'etcd-s3-retention': 84 });
    // A server created before growing to three has the very same config (and so the same pruning) as the ones after.
    expect(new Set([...one, ...three])).toEqual(new Set([three[0]]));
  });

  it('installs a Rancher chart the community stable repository serves, inside the RKE2 Kubernetes range', () => {
    expect(release(json, 'rancher')!.release).toMatchObject({
      repository: 'https://releases.rancher.com/server-charts/stable',
      version: DEFAULT_VERSIONS.rancher,
    });
    expect(primeOnly(DEFAULT_VERSIONS.rancher)).toBe(false);
  });
});
