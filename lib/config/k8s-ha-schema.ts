import { z } from 'zod';
import { FQDN, lengthBounds } from './primitives';

/** The kubeconfig read when the settings name none (expanded on the machine running Terraform). */
export const DEFAULT_KUBECONFIG_PATH = '~/.kube/config';

/** Kubernetes object names: DNS-1123 subdomain (IngressClass), label (namespace), DNS-1035 label (Service). */
const K8S_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const K8S_LABEL = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const K8S_SERVICE_NAME = /^(?=.{1,63}$)[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** EKS's CreateCluster `name`: 1-100 characters, a letter or digit first, then letters, digits, hyphens, underscores. */
const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
const IPV4 = /^((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])$/;

/** The ingress load balancer's hostname or IPv4 address (`dns.target`), production's or the standby's. */
export const dnsTarget = z
  .string()
  // All digits and dots is an address, never a name (no top-level domain is numeric).
  .refine((v) => (/^[0-9.]+$/.test(v) ? IPV4.test(v) : FQDN.test(v)), {
    message: 'expected a lower-case DNS name (e.g. a load balancer hostname) or an IPv4 address',
  })
  .optional();

/**
 * A kubeconfig path that means the same on every machine: `~/...` (the home
 * of whoever runs Terraform) or relative to the stack directory. An absolute
 * path names one machine and would leak into the synthesized root module.
 */
const kubeconfigPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.startsWith('\\') && !/^[A-Za-z]:[\\/]/.test(p), {
    message:
      'expected ~/... or a path relative to cdktf.out/stacks/k8s-ha (absolute paths name one machine; set the kubeconfig_path Terraform variable at plan time instead)',
  })
  .refine((p) => !/^~[^/\\]/.test(p), { message: "expected ~/... (another user's home, ~name/..., is not expanded by Terraform)" });

/**
 * How Terraform reaches a cluster, without a default: production's (`k8sHa.access`) defaults to `~/.kube/config`;
 * the standby's (`standby.k8sHa.access`) has none, since that default is production's cluster.
 */
export const k8sAccessSchema = z
  .strictObject({
    /** A kubeconfig file on the machine running Terraform, and optionally one of its contexts. */
    kubeconfig: z
      .strictObject({
        /** Kubeconfig on the machine running Terraform (variable `kubeconfig_path`); `~/...` or relative to `cdktf.out/stacks/k8s-ha`, absolute paths refused */
        path: kubeconfigPath.default(DEFAULT_KUBECONFIG_PATH),
        /** Context in that file. Unset: its current-context. */
        context: z.string().min(1).optional(),
      })
      .optional(),
    /**
     * `true`: the API server URL, CA and credentials (token, or client certificate and key) are Terraform variables.
     */
    variables: z.boolean().optional(),
  })
  .superRefine((access, ctx) => {
    const kubeconfig = access.kubeconfig !== undefined;
    const variables = access.variables === true;
    if (kubeconfig && variables) {
      ctx.addIssue({
        code: 'custom',
        message: 'choose one way to reach the cluster: kubeconfig or variables, not both',
        input: access,
      });
    } else if (!kubeconfig && !variables) {
      ctx.addIssue({
        code: 'custom',
        message: 'choose how Terraform reaches the cluster: kubeconfig: { path, context } or variables: true',
        input: access,
      });
    }
  });

/**
 * The `k8sHa` section's fields: the RancherOnK8S stack (Rancher onto a cluster that already exists), and
 * RancherOnExistingCluster's own props (but `access`, which is the stack's providers').
 */
export const K8S_HA_FIELDS = {
  /** How Terraform reaches the cluster. Default: `~/.kube/config`, its current context. */
  access: k8sAccessSchema.prefault({ kubeconfig: {} }),
  certManager: z
    .strictObject({
      /** `false` when the cluster already runs cert-manager (then checked for at plan time, never installed or removed). */
      install: z.boolean().default(true),
    })
    .prefault({}),
  ingress: z
    .strictObject({
      /**
       * IngressClass of the cluster's ingress controller (checked at plan time). A running deployment keeps its class, or
       * moves from an ingress-nginx class to a Traefik one (docs/day-2.md, "Off ingress-nginx").
       */
      className: z
        .string()
        .regex(K8S_SUBDOMAIN, { message: 'expected a Kubernetes object name such as traefik' })
        .meta(lengthBounds(1, 253))
        .optional(),
      /** The controller's LoadBalancer Service, whose address the Rancher record points at. */
      service: z
        .strictObject({
          /** Namespace of the controller's LoadBalancer Service */
          namespace: z
            .string()
            .regex(K8S_LABEL, { message: 'expected a Kubernetes namespace name such as traefik' })
            .meta(lengthBounds(1, 63))
            .optional(),
          /** That Service, whose address the Rancher record points at */
          name: z
            .string()
            .regex(K8S_SERVICE_NAME, { message: 'expected a Kubernetes Service name such as traefik' })
            .meta(lengthBounds(1, 63))
            .optional(),
        })
        .prefault({}),
    })
    .prefault({}),
  eks: z
    .strictObject({
      /** The EKS cluster's name, for `backups.credentials` `irsa` or `pod-identity`. Unset: not taken for EKS. */
      clusterName: z
        .string()
        .regex(EKS_CLUSTER_NAME, {
          message: 'expected an EKS cluster name: 1-100 letters, digits, hyphens and underscores, starting with a letter or digit',
        })
        .meta(lengthBounds(1, 100))
        .optional(),
    })
    .prefault({}),
  dns: z
    .strictObject({
      /**
       * Load balancer hostname or IPv4 address the Rancher record points at.
       * Unset: read from the ingress Service at plan time (`ingress_target` variable).
       */
      target: dnsTarget,
      /**
       * `false` (a [failover](failover.md)'s standby): no Route53 record for `hostname`, `/ping` probed at the ingress load
       * balancer. Needs `rancher.bootstrap.enabled: false`, not `acme`.
       */
      hostnameRecord: z.boolean().default(true),
    })
    .prefault({}),
};

/** RancherOnExistingCluster's own props (the k8s-ha fields, flat in its props), completed. */
export type K8sHaOwnProps = z.output<z.ZodObject<typeof K8S_HA_FIELDS>>;
