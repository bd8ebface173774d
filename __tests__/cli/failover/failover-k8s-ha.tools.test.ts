import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useFakeAwsEndpoint } from '../../helpers/fake-cloud';
import { checkEveryDrill, COPY, STANDBY_NEWEST, STANDBY_REGION } from '../../helpers/drill-world';
import { expectedK8sStandby, failoverK8s, HOSTNAME, k8sFailoverWorld, prepare, recordsOf } from '../../helpers/failover-world';
import { standbyHeld } from '../../helpers/region-loss-world';
import { codesOf, said } from '../../helpers/plain-output';
import { MANAGEMENT_CLUSTERS } from '../../helpers/management-clusters';

// `npm run failover -- k8s-ha` against the fake cloud (helpers/failover-world.ts, k8sFailoverWorld): production's
// record an A alias to its ingress NLB; the standby on the cluster standby.k8sHa names, its ingress target another
// name (a CNAME) or an address (an A record). Route 53 refuses a CNAME beside an A (fake-aws/fake-route53.ts).

useFakeAwsEndpoint();
checkEveryDrill();

const PRODUCTION_RECORD = {
  Name: `${HOSTNAME}.`,
  Type: 'A',
  AliasTarget: expect.objectContaining({ DNSName: 'rancher-nlb-9f8e7d.elb.eu-west-1.amazonaws.com.' }),
};

describe('npm run failover -- k8s-ha', () => {
  it("restores on the standby's cluster, checks its CA at its ingress target, and replaces the A alias with the CNAME that target needs", () => {
    // The restore brings an imported K3s cluster (known by its provider label) beside `local`.
    const c = k8sFailoverWorld('ingress-sb.example.net', (w) => (w.failover.clusters = MANAGEMENT_CLUSTERS.slice(0, 4)));
    const dry = c.run(['failover', 'k8s-ha', '--dir', 'module', '--dry-run'], { tools: [] });
    expect({ code: dry.code, codes: codesOf(dry.out) }).toEqual({ code: 0, codes: ['FAILOVER_PLAN', 'FAILOVER_DRY_RUN'] });
    expect(said(dry.out, 'FAILOVER_PLAN')).toContain('on the cluster standby.k8sHa.access reaches');

    const done = failoverK8s(c, '--yes');
    expect({ code: done.code, result: said(done.out, 'FAILOVER_RESULT') }).toMatchObject({ code: 0, result: expect.stringContaining('PASSED') });
    // The standby: production's settings on the standby's cluster, no record of its own, restoring the copy's newest.
    expect(JSON.parse(readFileSync(join(c.dir, 'drill-settings-seen.json'), 'utf8'))).toEqual(expectedK8sStandby);
    expect(expectedK8sStandby).toMatchObject({
      region: STANDBY_REGION,
      k8sHa: { access: { kubeconfig: { path: '~/.kube/standby' } }, dns: { hostnameRecord: false } },
      backups: { restoreFrom: { bucket: COPY, file: STANDBY_NEWEST } },
    });
    // The A alias deleted and the CNAME made in one batch: the name leads to the standby's target alone.
    expect(recordsOf(c)).toEqual([{ Name: `${HOSTNAME}.`, Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: 'ingress-sb.example.net' }] }]);
    expect(said(done.out, 'FAILOVER_REPORT')).toContain(
      `moved: CNAME ${HOSTNAME} -> ingress-sb.example.net in Z0PRODUCTIONZONE (replacing A ${HOSTNAME} -> `,
    );
    const record = JSON.parse(readFileSync(join(c.dir, 'failover.out', 'failover.json'), 'utf8'));
    expect(record).toMatchObject({ moved: true, done: true, written: { Type: 'CNAME', ResourceRecords: [{ Value: 'ingress-sb.example.net' }] } });
    expect(said(done.out, 'FAILOVER_PRIMARY_LEFT')).toContain(
      'The fence in us-west-2 (/rancher/k8s-ha/failover-fence) holds until the failback removes it',
    );
    // The guard production's apply left in its cluster (lib/standby/fence-guard.ts); the kubectl line for one applied before it.
    expect(said(done.out, 'FAILOVER_PRIMARY_LEFT')).toContain(
      "the guard in production's cluster (the CronJob rancher-aws-failover-fence/rancher-aws-failover-fence) keeps Rancher at 0 replicas when it answers again",
    );
    expect(said(done.out, 'FAILOVER_PRIMARY_LEFT')).toContain(
      'a production applied before 0.5.0 has none: scale its Rancher to 0 (kubectl -n cattle-system scale deployment rancher --replicas=0)',
    );
    // Listed through the kubeconfig standby.k8sHa names (the person's), and its backups in its own bucket there.
    expect(said(done.out, 'FAILOVER_REPORT')).toContain(
      'imported RKE2/K3s clusters needing the system-agent step: c-7xk2p (edge-rke2), c-q9w4r (edge-k3s); on each: kubectl',
    );
    expect(said(done.out, 'FAILOVER_REPORT')).toContain("the standby's backups: s3://rancher-sb-backups in us-west-2 only");
    // Its record made before failover routing, changed by the move: it leads to the standby now.
    expect(said(done.out, 'FAILOVER_PRIMARY_LEFT')).toContain(`its state still owning ${HOSTNAME}'s record, which now points at the standby`);
  });

  it('--prepare: the pilot light of k8s-ha (its IAM, bucket and health check; nothing in the cluster, no load balancer to name); the failover applies the rest without a refresh', () => {
    const c = k8sFailoverWorld('ingress-sb.example.net');
    const prepared = prepare(c, 'k8s-ha');
    expect({ code: prepared.code, result: codesOf(prepared.out).at(-1) }).toEqual({ code: 0, result: 'FAILOVER_PREPARED' });
    const held = [...standbyHeld(c)].map((a) => a.split('.')[0]);
    expect(held).toEqual(expect.arrayContaining(['aws_s3_bucket', 'aws_s3_bucket_policy', 'aws_route53_health_check']));
    expect(held.filter((type) => /^(helm_release|kubernetes_|rancher2_)/.test(type))).toEqual([]);
    expect(c.world().aws.parameters['/rancher/k8s-ha/standby-target']).toBeUndefined();
    const done = failoverK8s(c, '--yes');
    expect({ code: done.code, warned: codesOf(done.out).filter((code) => code === 'FAILOVER_NOT_PREPARED') }).toEqual({ code: 0, warned: [] });
    expect(
      c
        .calls()
        .filter((call) => call.startsWith('terraform apply'))
        .at(-1),
    ).toBe('terraform apply -auto-approve -input=false -refresh=false');
  });

  it('moves the record to an address as an A record, and refuses a standby without a cluster of its own before anything changes', () => {
    const c = k8sFailoverWorld('203.0.113.7');
    const settings = readFileSync(join(c.dir, 'rancher.yaml'), 'utf8');
    writeFileSync(join(c.dir, 'rancher.yaml'), settings.replace('path: ~/.kube/standby', 'path: ~/.kube/config\n        context: prod'));
    const refused = failoverK8s(c, '--yes');
    expect({ code: refused.code, codes: codesOf(refused.out) }).toEqual({ code: 2, codes: ['FAILOVER_STANDBY_CLUSTER_IS_PRODUCTIONS'] });
    expect(said(refused.out, 'FAILOVER_STANDBY_CLUSTER_IS_PRODUCTIONS')).toContain('Nothing was changed.');
    expect(recordsOf(c)).toEqual([PRODUCTION_RECORD]);

    writeFileSync(join(c.dir, 'rancher.yaml'), settings);
    const done = failoverK8s(c, '--yes');
    expect(done.code).toBe(0);
    expect(recordsOf(c)).toEqual([{ Name: `${HOSTNAME}.`, Type: 'A', TTL: 60, ResourceRecords: [{ Value: '203.0.113.7' }] }]);
  });
});
