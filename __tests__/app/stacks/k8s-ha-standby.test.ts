import type { SettingsInput } from '../../../app/config/settings-schema';
import { resources, type TerraformJson } from '../../helpers/synth';
import { K8S_HA_STACK, synthSettings } from '../../helpers/variants';

// The k8s-ha stack's standby (docs/standby.md): Rancher's backup bucket replicated to standby.region, with a cluster
// there named for the failover (standby.k8sHa).
const synth = (input: SettingsInput): TerraformJson => synthSettings(K8S_HA_STACK, input).json;
const CLUSTER = { access: { kubeconfig: { path: '~/.kube/standby' } } };

describe("the k8s-ha stack's standby settings", () => {
  it('refuses its plan, naming the field, value and fix, when standby.region names no standby cluster (an rke-ha standby to the shared file)', () => {
    const json = synth({ standby: { region: 'us-west-2' } });
    const refusal = (json.resource as any).terraform_data.standby_cluster;
    expect(refusal.lifecycle.precondition).toEqual([
      {
        condition: '${local.standby_cluster_named}',
        error_message: expect.stringMatching(
          /^standby\.region us-west-2 names no standby cluster for k8s-ha: standby\.k8sHa\.access is unset .* Set standby\.k8sHa\.access .* or remove standby\.region/,
        ),
      },
    ]);
    expect(json.locals!.standby_cluster_named).toBe(false);
    // Nothing of a standby besides: the plan stops before any change.
    expect(Object.keys(resources(json, 'aws_s3_bucket_replication_configuration'))).toEqual([]);
  });

  it('plans without the refusal with a standby cluster, or with no standby', () => {
    for (const input of [{ standby: { region: 'us-west-2', k8sHa: CLUSTER } }, {}] as SettingsInput[])
      expect((synth(input).resource as any).terraform_data?.standby_cluster).toBeUndefined();
  });
});
