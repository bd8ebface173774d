import type { ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { bootstrapEnabled } from '../../config/bootstrap-schema';
import type { ResolvedDeploymentProps } from '../../config/deployment-schema';
import type { ReadinessGates } from '../../kubernetes/readiness-gates';
import { FirstLogin, type FirstLoginProps } from '../../rancher/first-login';
import { RANCHER_NAMESPACE } from '../../rancher/namespace';
import { RancherReadiness } from '../../rancher/rancher-readiness';
import { readinessTrust } from '../../rancher/private/readiness-trust';
import type { RancherServer } from '../../rancher/rancher-server';
import type { CertificateVariables } from '../../tls/certificate-variables';
import { INGRESS_SECRET, type TlsPlan } from '../../tls/tls-plan';
import { stackLevelName } from './stack-level-names';

export interface RancherReadyProps {
  readonly gates: ReadinessGates;
  readonly rancher: RancherServer;
  readonly tls: TlsPlan;
  readonly certificates: CertificateVariables;
  readonly hostname: string;
  readonly settings: Pick<ResolvedDeploymentProps, 'rancher' | 'timeouts'>;
  /** What routes Rancher's hostname to the cluster, which `/ping` goes through: the records, the load balancer's targets and listeners. */
  readonly hostnameRouting: readonly ITerraformDependable[];
  /** Probe `/ping` at this address under the hostname (RancherReadinessProps.at). @default the hostname */
  readonly probeAt?: string;
  /** Versions whose change runs the certificate gate again (an upgrade). @default none */
  readonly rerunOn?: string;
}

/**
 * The end of every in-cluster install (rke-ha, k8s-ha): with cert-manager, a
 * gate on the issued certificate (the ingress serves it only once issued, and
 * the final probe cannot retry a certificate error: a slow issuance fails the
 * apply, not the Helm release); then `/ping` through the name; then the first
 * login. Made in `scope` with the ids the deployments always had (Terraform
 * addresses).
 */
export function rancherReadyAndFirstLogin(scope: Construct, props: RancherReadyProps): { ready: RancherReadiness; firstLogin: FirstLogin } {
  const t = props.settings.timeouts;
  const certificateReady = props.tls.certManager
    ? props.gates.gate('certificate-ready', {
        check: { kind: 'certificate', namespace: RANCHER_NAMESPACE, name: INGRESS_SECRET },
        minutes: t.certificateMinutes,
        dependsOn: [props.rancher.release],
        rerunOn: props.rerunOn,
      })
    : undefined;
  const ready = new RancherReadiness(scope, 'rancher-readiness', {
    hostname: props.hostname,
    trust: readinessTrust(props.tls, props.certificates),
    minutes: t.pingMinutes,
    ...(props.probeAt === undefined ? {} : { at: props.probeAt }),
    dependsOn: [props.rancher.release, ...(certificateReady ? [certificateReady] : []), ...props.hostnameRouting],
  });
  const firstLogin = firstLoginAfter(scope, ready, {
    enabled: bootstrapEnabled(props.settings.rancher, true),
    hostname: props.hostname,
    password: props.rancher.bootstrapPassword,
    minutes: t.bootstrapMinutes,
  });
  return { ready, firstLogin };
}

/** What the first login takes from the `/ping` probe it follows (RancherReadiness, DockerReadiness). */
export interface PingProbe {
  readonly ping: ITerraformDependable;
  readonly caCertPem?: string;
  readonly caCertDeferred: boolean;
}

/**
 * The first login of every deployment (rke-ha, k8s-ha, docker): after `/ping`,
 * trusting what the probe trusted (pinned when the probe reads it at apply
 * time), with the id and stack-level names the deployments always had.
 */
export function firstLoginAfter(
  scope: Construct,
  probe: PingProbe,
  props: Pick<FirstLoginProps, 'enabled' | 'hostname' | 'password' | 'minutes'>,
): FirstLogin {
  return new FirstLogin(scope, 'first-login', {
    ...props,
    caCertPem: probe.caCertPem,
    pinCaCert: probe.caCertDeferred,
    ping: probe.ping,
    providerAlias: stackLevelName(scope, 'bootstrap'),
    checkName: stackLevelName(scope, 'rancher_server_url'),
  });
}
