import { TerraformOutput, TerraformStack, type ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { rancherOutputs, stackFoundation } from '../lib/common/stack-foundation';
import type { Settings } from '../lib/config/schema';
import { LoadBalancerRecord } from '../lib/dns/load-balancer-record';
import { ClusterPreflight } from '../lib/existing-cluster/cluster-preflight';
import { ExistingClusterAccess } from '../lib/existing-cluster/existing-cluster-access';
import { forgetWhenRemoved } from '../lib/existing-cluster/forget-when-removed';
import { IngressLoadBalancer } from '../lib/existing-cluster/ingress-load-balancer';
import { ReadinessGates } from '../lib/kubernetes/readiness-gates';
import { chartProxy, PRIVATE_NETWORKS } from '../lib/network/proxy';
import { CertManager } from '../lib/rancher/cert-manager';
import { RANCHER_NAMESPACE, RancherNamespace } from '../lib/rancher/namespace';
import { RancherReadiness } from '../lib/rancher/rancher-readiness';
import { readinessTrust } from '../lib/rancher/readiness-trust';
import { RancherServer } from '../lib/rancher/rancher-server';
import { rancherServerSettings } from '../lib/rancher/rancher-settings';
import { RancherTlsSecrets } from '../lib/rancher/tls-secrets';
import { CertificateVariables, type CertificateMaterial } from '../lib/tls/certificate-variables';
import { INGRESS_SECRET, tlsPlan, type TlsPlan } from '../lib/tls/tls-plan';

export const K8S_HA_STACK = 'k8s-ha';

/** `spec.controller` of an IngressClass served by ingress-nginx. */
const INGRESS_NGINX_CONTROLLER = 'k8s.io/ingress-nginx';

/** Construct id of the cert-manager this stack installs; its path is also what `forgetWhenRemoved` keeps. */
const CERT_MANAGER_ID = 'cert-manager';

/**
 * RancherOnK8S: cert-manager and Rancher from Helm onto a cluster that
 * already exists (possibly shared with other services), after plan-time
 * checks of that cluster, and a Route53 record for its ingress load balancer.
 * One apply that ends when Rancher answers on its hostname.
 *
 * TLS follows `rancher.tls` as in rke-ha, except that `external` means the
 * cluster's own load balancer ends TLS: the chart runs with `tls=external`
 * and that balancer's certificate (and forwarded headers) are the cluster
 * owner's to configure.
 */
export class K8sHaStack extends TerraformStack {
  constructor(scope: Construct, id: string, settings: Settings) {
    super(scope, id);
    const s = settings.k8sHa;
    const t = settings.timeouts;
    // No admin port of this stack's own: no admin_cidrs variable, no address lookup on each plan.
    const { inputs } = stackFoundation(this, settings, { adminAccess: false });

    new ExistingClusterAccess(this, 'cluster-access', s.access.kubeconfig ? { kubeconfig: s.access.kubeconfig } : { variables: true });
    const tls = tlsPlan(settings.rancher.tls);
    // This stack does not know the cluster's networks: private ranges and Rancher's name bypass the proxy.
    const proxy = chartProxy(settings.proxy, [...PRIVATE_NETWORKS, inputs.hostname]);
    const certificates = new CertificateVariables(this, 'certificates', materialFor(tls));
    const preflight = new ClusterPreflight(this, 'preflight', {
      rancherVersion: settings.versions.rancher,
      ingressClassName: s.ingress.className,
      requireCertManager: tls.certManager && !s.certManager.install,
    });

    const ingress = new IngressLoadBalancer(this, 'ingress', { service: s.ingress.service, target: s.dns.target });
    const dns = new LoadBalancerRecord(this, 'dns', { zoneName: inputs.zoneName, recordName: inputs.hostname, target: ingress.address });
    // The cluster's controller is not ours to know: the gate only asks whether an Ingress of the class is
    // admitted (every admission webhook on Ingresses answers).
    const gates = new ReadinessGates(this, 'readiness-gates', { dependsOn: preflight.gates, registry: settings.airGap.systemDefaultRegistry });
    const ingressReady = gates.gate('ingress-ready', { check: { kind: 'admission', ingressClass: s.ingress.className }, minutes: t.ingressMinutes });

    let rancherPrerequisites: ITerraformDependable[];
    if (s.certManager.install) {
      const certManager = new CertManager(this, CERT_MANAGER_ID, {
        version: settings.versions.certManager,
        repository: settings.airGap.certManagerChartRepository,
        proxy,
        minutes: t.certManagerMinutes,
        dependsOn: preflight.gates,
      });
      rancherPrerequisites = [certManager.release];
    } else {
      // Turning `install` off later must not uninstall the cert-manager this stack installed
      // (other services in the cluster may rely on it): Terraform forgets it instead.
      forgetWhenRemoved(this, 'helm_release', [CERT_MANAGER_ID, 'release']);
      rancherPrerequisites = preflight.gates;
    }
    const namespace = new RancherNamespace(this, 'rancher-namespace', { dependsOn: preflight.gates });
    const secrets = new RancherTlsSecrets(this, 'tls-secrets', { plan: tls, certificates, namespace: namespace.name });
    const rancher = new RancherServer(this, 'rancher', {
      ...rancherServerSettings(settings, proxy),
      hostname: inputs.hostname,
      ingressClassName: s.ingress.className,
      namespace: namespace.name,
      // The record too: Let's Encrypt's HTTP-01 check, and the certificate wait, need the name to resolve.
      dependsOn: [...rancherPrerequisites, ingressReady, ...secrets.resources, ...dns.records],
    });
    if (tls.mode === 'rancher' && s.ingress.className !== 'nginx') {
      // The settings are shared by every stack, so synth must not fail here; the plan does, before any change,
      // unless the cluster's class is in fact served by ingress-nginx. (Terraform refuses a constant condition.)
      rancher.release.addOverride('lifecycle.precondition', [
        {
          condition: `\${anytrue([for c in try(${preflight.ingressClass.fqn}.objects, []) : try(c.spec.controller, "") == "${INGRESS_NGINX_CONTROLLER}"])}`,
          error_message: `rancher.tls mode "rancher" (re-encryption) relies on ingress-nginx annotations; IngressClass "${s.ingress.className}" (k8sHa.ingress.className) is not served by ingress-nginx.`,
        },
      ]);
    }
    const certificateReady = tls.certManager
      ? gates.gate('certificate-ready', {
          check: { kind: 'certificate', namespace: RANCHER_NAMESPACE, name: INGRESS_SECRET },
          minutes: t.certificateMinutes,
          dependsOn: [rancher.release],
        })
      : undefined;
    const ready = new RancherReadiness(this, 'rancher-readiness', {
      hostname: inputs.hostname,
      trust: readinessTrust(tls, certificates),
      minutes: t.pingMinutes,
      dependsOn: [rancher.release, ...(certificateReady ? [certificateReady] : []), ...dns.records],
    });

    rancherOutputs(this, { ping: ready.ping, bootstrapPassword: rancher.bootstrapPassword });
    new TerraformOutput(this, 'dns_target', { value: dns.target, description: "The ingress load balancer (hostname or address) the Rancher record points at" });
    new TerraformOutput(this, 'dns_record_type', { value: dns.recordType, description: 'alias (AWS load balancer), A (IPv4 address) or CNAME (other hostname)' });
  }
}

/**
 * The user material k8s-ha needs: as rke-ha at the ingress; with `external`
 * only the private CA bundle (`tls-ca`), since the certificate sits on the
 * cluster owner's load balancer.
 */
function materialFor(tls: TlsPlan): readonly CertificateMaterial[] {
  if (!tls.atLoadBalancer) return tls.material;
  return tls.privateCa ? ['caCertificate'] : [];
}
