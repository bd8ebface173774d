import type { RecordedSetting } from '../../common/deployment-guard';
import type { TerraformData } from '../../common/terraform-data';
import { hostnameSteps } from './agent-trust';

/** The guard's record of Rancher's name with DNS round robin (`terraform_data.deployment-guard_record-hostname_<hash>`). */
export const HOSTNAME_SETTING = 'hostname';

export interface KubernetesApiNameProps {
  /** The NLB in front of the servers' 6443; none with DNS round robin. */
  readonly lb?: { readonly dnsName: string };
  /** Rancher's name is derived from the NLB's first Elastic IP (`dns.mode: wildcard`). */
  readonly wildcard: boolean;
  /** Rancher's name (may be a reference to `var.rancher_hostname`). */
  readonly hostname: string;
  /** With DNS round robin, the guard's record of the name the deployment was created with. */
  readonly hostnameRecord?: TerraformData;
}

/**
 * The name the Helm and Kubernetes providers (and the kubeconfig output) reach
 * the API by. Every name here is in each server's tls-san from its first boot,
 * and none moves with a settings change the deployment accepts:
 *
 * - NLB with a Route53 name: the NLB's own DNS name. Rancher's name is a
 *   variable a person may change; the NLB's name changes only when the NLB is
 *   replaced, which no accepted setting does (`name` and `dns.mode` are refused).
 * - NLB with a wildcard name (`<a-b-c-d>.sslip.io`): Rancher's name. It cannot
 *   change (its inputs are refused by the guard) and, unlike the NLB's name, it
 *   survives a replaced NLB (the Elastic IPs are kept).
 * - DNS round robin: Rancher's name as recorded by the guard at the first
 *   apply. The guard refuses another one, so the providers keep reaching the
 *   servers under the name their certificates carry until the change is
 *   accepted (`roundRobinHostnameRecord` says how); the record's planned input
 *   is the recorded name, and the new one only in the apply that accepts it.
 */
export function kubernetesApiName(props: KubernetesApiNameProps): string {
  if (props.lb) return props.wildcard ? props.hostname : props.lb.dnsName;
  if (!props.hostnameRecord) throw new Error('DNS round robin reaches the API by the recorded hostname: record it with roundRobinHostnameRecord');
  return props.hostnameRecord.plannedInput;
}

/** The guard's record of Rancher's name with DNS round robin, where that name is also the API's. */
export function roundRobinHostnameRecord(hostname: string): RecordedSetting {
  return {
    setting: HOSTNAME_SETTING,
    value: hostname,
    reference: true,
    procedure:
      "Without a load balancer Terraform reaches the Kubernetes API by Rancher's name, and the running servers' certificates name only the old one. " +
      'First add the new name to tls-san in /etc/rancher/rke2/config.yaml (K3s: /etc/rancher/k3s/config.yaml) on each server and restart rke2-server (k3s) there, one server at a time, each Ready before the next. ' +
      'Then accept it in an apply that does not read the cluster under the new name before its record exists: terraform apply -refresh=false -replace=<the hostname record> (docs/day-2.md, "Other day-2 notes", hostname). ' +
      `It is also Rancher's server-url, which every downstream cluster's agents dial (rancher/rancher#14731). ${hostnameSteps()}`,
  };
}

/**
 * The guard's record of the front, `loadBalancer.type`: DNS round robin to the NLB is refused, the other way is taken.
 * Its record keeps the name it had when the message gave the settings-file path (`record-rkeHa-loadBalancer-type` in
 * a running deployment's state).
 */
export function loadBalancerTypeRecord(type: 'nlb' | 'dns'): RecordedSetting {
  return {
    setting: 'loadBalancer.type',
    recordedAs: 'rkeHa.loadBalancer.type',
    value: type,
    acceptedFrom: ['nlb'],
    procedure:
      "With the NLB Terraform reaches the Kubernetes API by the NLB's own name, which the plan that creates the NLB does not know yet (the cluster providers would have no address) and which the running servers' certificates do not carry. " +
      'Create the NLB first on its own: terraform apply -target=<the aws_lb address of the load balancer>; add its DNS name to tls-san in /etc/rancher/rke2/config.yaml (K3s: /etc/rancher/k3s/config.yaml) on each server and restart rke2-server (k3s) there, one server at a time, each Ready before the next; ' +
      'then accept the switch: terraform apply -replace=<the loadBalancer.type record> (its address in terraform state list ends in record-rkeHa-loadBalancer-type_<hash>; docs/day-2.md, "Other day-2 notes").',
  };
}
