import type { Release } from '@cdktf/provider-helm/lib/release';
import type { ITerraformDependable } from 'cdktf';
import { helmChart, manifest, type HelmChartOptions, type KubernetesObject, type ManifestOptions } from '../kubernetes/cluster-additions';
import { RancherDeployment } from './rancher-deployment';

/**
 * A Rancher deployment on a Kubernetes cluster Terraform reaches (RancherOnRke's own, RancherOnExistingCluster's
 * given): it grows by charts and manifests installed once Rancher answers, through the stack's helm provider.
 */
export abstract class RancherOnCluster extends RancherDeployment {
  /** What an addition waits for: Rancher answering (its readiness probe and first login). */
  protected abstract readonly rancherReady: ITerraformDependable;

  /**
   * A Helm chart installed into the cluster once Rancher answers (construct `helm-chart-<id>`), through the stack's
   * helm provider; removed before Rancher on a destroy.
   */
  addHelmChart(id: string, options: HelmChartOptions): Release {
    return helmChart(this, id, options, [this.rancherReady]);
  }

  /** Kubernetes objects applied to the cluster once Rancher answers (construct `manifest-<id>`, one Helm release). */
  addManifest(id: string, objects: readonly KubernetesObject[], options: ManifestOptions = {}): Release {
    return manifest(this, id, objects, options, [this.rancherReady]);
  }
}
