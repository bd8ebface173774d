import type { DeploymentProps } from './props';
import type { StandbyProps } from './rancher-on-rke-props';

/**
 * Rancher onto a cluster that exists: the deployment's props (DeploymentProps) and the cluster as far as this
 * construct needs to know it, side by side (a settings file nests the latter under `k8sHa:`; the loader un-nests
 * them). The stack's Helm and Kubernetes providers must point at that cluster (the app's k8s-ha stack configures
 * them with ExistingClusterAccess).
 */
export interface RancherOnExistingClusterProps extends DeploymentProps {
  /** cert-manager: installed from its chart, or the cluster's own. @default installed */
  readonly certManager?: {
    /** `false` when the cluster runs cert-manager already (then checked at plan time, never installed). @default true */
    readonly install?: boolean;
  };
  /** The cluster's ingress controller Rancher's Ingress is served by. @default Traefik's (ingress-nginx's with TLS mode `rancher`) */
  readonly ingress?: {
    /**
     * IngressClass of the cluster's ingress controller (checked at plan time). A running deployment keeps the class its
     * Rancher ingress has, except a move from an ingress-nginx class to a Traefik one (IngressClassGuard).
     * @default 'traefik' ('nginx' with TLS mode `rancher`, re-encryption, which relies on ingress-nginx)
     */
    readonly className?: string;
    /** The controller's LoadBalancer Service, whose address the Rancher record points at. */
    readonly service?: {
      /** @default 'traefik' for class traefik, else 'ingress-nginx' */
      readonly namespace?: string;
      /** @default 'traefik' for class traefik, else 'ingress-nginx-controller' */
      readonly name?: string;
    };
  };
  /** The cluster is EKS: what `backups.credentials` `irsa` and `pod-identity` give the operator's role to. */
  readonly eks?: {
    /** The EKS cluster's name (its OIDC issuer, ARN and Pod Identity associations are read or made by that name). */
    readonly clusterName?: string;
  };
  /** Where the Rancher record points. @default the ingress Service's load balancer */
  readonly dns?: {
    /** Load balancer hostname or IPv4 address for the record. @default read from the ingress Service at plan time */
    readonly target?: string;
    /**
     * `false`: no Route53 record for the hostname; `/ping` is probed at the ingress load balancer with the hostname as
     * Host (TLS not verified there), and something else points the name at it (a failover's standby moves production's
     * record to `dnsTarget`). Needs no first login and an issuer other than `acme`. @default true
     */
    readonly hostnameRecord?: boolean;
  };
  /**
   * A cold standby's data in a second region (docs/standby.md): Rancher's backup bucket replicates to a bucket there,
   * under a KMS key of that region, with an alarm when replication fails or lags (with `alarms`). Nothing runs there
   * (the cluster a failover installs onto is the user's). @default no standby
   */
  readonly standby?: StandbyProps;
}
