import { DataKubernetesResources } from '@cdktf/provider-kubernetes/lib/data-kubernetes-resources';
import { DataKubernetesServerVersion } from '@cdktf/provider-kubernetes/lib/data-kubernetes-server-version';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { RANCHER_KUBERNETES_RANGE, rancherLine } from '../config/versions';

/** The CRD whose presence shows cert-manager is installed (Rancher's chart creates an Issuer). */
export const CERT_MANAGER_CRD = 'issuers.cert-manager.io';

/** What the cluster must offer: a Kubernetes version Rancher supports, the ingress class, and cert-manager if asked. */
export interface ClusterPreflightProps {
  /** Rancher chart version; its line's Kubernetes range (RANCHER_KUBERNETES_RANGE) must contain the cluster's. */
  readonly rancherVersion: string;
  /** IngressClass the Rancher ingress will use; it must exist. */
  readonly ingressClassName: string;
  /** Check that cert-manager is already installed (when this stack does not install it). @default false */
  readonly requireCertManager?: boolean;
}

/** The minor of a Kubernetes version as the API reports it (`33`, or `33+` on EKS and GKE); -1 when unreadable. */
const MINOR = 'try(tonumber(regex("^[0-9]+", self.minor)), -1)';

/**
 * Checks of a cluster Terraform did not create, read at plan time through the
 * Kubernetes provider, each with a postcondition that says what is wrong and
 * what to do. A failing check stops the plan before anything is changed; the
 * Helm releases also depend on `gates`, so the order is explicit.
 */
export class ClusterPreflight extends Construct {
  /** The API server's version, checked against the Rancher line's Kubernetes range. */
  readonly serverVersion: DataKubernetesServerVersion;
  /** The IngressClass named, checked to exist. */
  readonly ingressClass: DataKubernetesResources;
  /** cert-manager's CRD, checked to exist (`requireCertManager` only). */
  readonly certManager?: DataKubernetesResources;
  /** Everything the Helm releases must wait for. */
  readonly gates: ITerraformDependable[];

  constructor(scope: Construct, id: string, props: ClusterPreflightProps) {
    super(scope, id);
    const line = rancherLine(props.rancherVersion);
    const range = line === undefined ? undefined : RANCHER_KUBERNETES_RANGE[line];
    if (!line || !range) throw new Error(`no supported Kubernetes range is known for Rancher ${props.rancherVersion}`);
    const supported = `1.${range.min}-1.${range.maxExclusive - 1}`;

    this.serverVersion = new DataKubernetesServerVersion(this, 'kubernetes-version', {
      lifecycle: {
        postcondition: [
          {
            condition: `\${self.major == "1" && ${MINOR} >= ${range.min} && ${MINOR} < ${range.maxExclusive}}`,
            errorMessage:
              `The cluster runs Kubernetes \${self.git_version}; Rancher ${line} supports ${supported} (its chart's kubeVersion). ` +
              'Upgrade the cluster or choose a Rancher version (versions.rancher) whose range contains it.',
          },
        ],
      },
    });

    this.ingressClass = new DataKubernetesResources(this, 'ingress-class', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      fieldSelector: `metadata.name=${props.ingressClassName}`,
      lifecycle: {
        postcondition: [
          {
            condition: '${length(try(self.objects, [])) > 0}',
            errorMessage:
              `The cluster has no IngressClass "${props.ingressClassName}": Rancher needs an ingress controller. ` +
              'Install one (e.g. ingress-nginx) or set ingress.className to the class of the one it has (kubectl get ingressclass).',
          },
        ],
      },
    });

    if (props.requireCertManager) {
      this.certManager = new DataKubernetesResources(this, 'cert-manager', {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        fieldSelector: `metadata.name=${CERT_MANAGER_CRD}`,
        lifecycle: {
          postcondition: [
            {
              condition: '${length(try(self.objects, [])) > 0}',
              errorMessage:
                `cert-manager is not installed (no ${CERT_MANAGER_CRD} CRD) but certManager.install is false. ` +
                'Install cert-manager first, or set certManager.install to true.',
            },
          ],
        },
      });
    }
    this.gates = [this.serverVersion, this.ingressClass, ...(this.certManager ? [this.certManager] : [])];
  }
}
