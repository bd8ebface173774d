import { imageRef } from '../../../lib/kubernetes/image-ref';
import { SHELL_IMAGE } from '../../../lib/kubernetes/readiness-gates';
import { serverPlan, SERVER_PLAN_NAME, SYSTEM_UPGRADE_CONTROLLER, SYSTEM_UPGRADE_NAMESPACE } from '../../../lib/kubernetes/private/upgrade-plan';
import { planProblems } from '../../helpers/suc-plan-schema';

describe('the server upgrade Plan', () => {
  const rke2 = serverPlan({ distribution: 'rke2', version: 'v1.35.9+rke2r1', jobDeadlineSeconds: 900, servers: 3 });

  it.each([
    ['RKE2', rke2],
    ['K3s', serverPlan({ distribution: 'k3s', version: 'v1.35.9+k3s1', jobDeadlineSeconds: 600, servers: 3 })],
    [
      'RKE2, air gap',
      serverPlan({ distribution: 'rke2', version: 'v1.35.9+rke2r1', registry: 'registry.internal:5000', jobDeadlineSeconds: 900, servers: 3 }),
    ],
  ])('%s: matches the Plan CRD of the pinned controller', (_, plan) => {
    expect(planProblems(plan)).toEqual([]);
  });

  it('the schema check catches what the CRD rejects (a misspelt field, a wrong type, no upgrade image, a bad operator)', () => {
    const spec = rke2.spec as Record<string, any>;
    const broken = {
      ...rke2,
      spec: {
        ...spec,
        concurency: 1,
        cordon: 'true',
        upgrade: {},
        nodeSelector: { matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Is' }] },
        drain: { timeout: true },
      },
    };
    expect(planProblems(broken)).toEqual([
      'spec.cordon: not boolean',
      'spec.nodeSelector.matchExpressions[0].operator: Is',
      'spec.upgrade.image: required',
      'spec.concurency: not in the schema',
      'spec.drain.timeout: not integer-or-string',
    ]);
    expect(planProblems({ ...rke2, spec: { concurrency: 1 } })).toEqual(['spec.upgrade: required']);
  });

  it('upgrades the servers one at a time, cordoned, to the pinned version (no channel: nothing moves on its own)', () => {
    expect(rke2).toEqual({
      apiVersion: 'upgrade.cattle.io/v1',
      kind: 'Plan',
      metadata: { name: SERVER_PLAN_NAME, namespace: SYSTEM_UPGRADE_NAMESPACE },
      spec: {
        concurrency: 1,
        cordon: true,
        nodeSelector: { matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'In', values: ['true'] }] },
        serviceAccountName: 'system-upgrade',
        jobActiveDeadlineSecs: 900,
        prepare: expect.objectContaining({ image: 'rancher/shell:v0.7.1' }),
        upgrade: { image: 'rancher/rke2-upgrade' },
        version: 'v1.35.9+rke2r1',
      },
    });
  });

  it('holds each server until the others are whole: the gates script in the gates image, bounded within the Job deadline', () => {
    const prepare = (rke2.spec as any).prepare;
    expect(prepare.command.slice(0, 2)).toEqual(['bash', '-c']);
    expect(prepare.command[2]).toContain('others_ready()');
    expect(prepare.envs).toEqual([
      { name: 'HOME', value: '/tmp' },
      { name: 'DEADLINE_SECONDS', value: '780' },
      { name: 'GATE', value: 'prepare' },
      { name: 'VERSION', value: 'v1.35.9+rke2r1' },
      { name: 'SERVERS', value: '3' },
      { name: 'EMBEDDED_ETCD', value: 'true' },
    ]);
    // Not root, although the controller mounts the host's root in every container of its Jobs.
    expect(prepare.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const k3s = serverPlan({ distribution: 'k3s', version: 'v1.35.9+k3s1', registry: 'registry.internal:5000', jobDeadlineSeconds: 300, servers: 3 })
      .spec as any;
    expect(k3s.prepare.image).toBe(`registry.internal:5000/${SHELL_IMAGE.repository}:${SHELL_IMAGE.tag}`);
    expect(k3s.prepare.envs).toContainEqual({ name: 'EMBEDDED_ETCD', value: 'false' });
    expect(k3s.prepare.envs).toContainEqual({ name: 'DEADLINE_SECONDS', value: '180' });
  });

  it('takes the upgrade images from the air-gap registry', () => {
    const plan = serverPlan({
      distribution: 'k3s',
      version: 'v1.35.9+k3s1',
      registry: 'registry.internal:5000',
      jobDeadlineSeconds: 600,
      servers: 3,
    });
    expect((plan.spec as any).upgrade.image).toBe('registry.internal:5000/rancher/k3s-upgrade');
    expect(imageRef(SYSTEM_UPGRADE_CONTROLLER.image, 'registry.internal:5000')).toBe(
      'registry.internal:5000/rancher/system-upgrade-controller:v0.20.1',
    );
  });
});
