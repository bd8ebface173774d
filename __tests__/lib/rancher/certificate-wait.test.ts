import { spawnSync } from 'node:child_process';
import { certificateWaitObjects, SHELL_IMAGE } from '../../../lib/rancher/certificate-wait';

describe('certificateWaitObjects', () => {
  const objects = certificateWaitObjects();
  const byKind = Object.fromEntries(objects.map((o) => [o.kind as string, o as any]));

  it('is a post-install/upgrade hook: RBAC first (weight -5), then the Job, recreated each run and deleted on success', () => {
    expect(objects.map((o) => o.kind)).toEqual(['ServiceAccount', 'Role', 'RoleBinding', 'Job']);
    for (const o of objects as any[]) {
      expect(o.metadata).toMatchObject({ name: 'rancher-certificate-wait', namespace: 'cattle-system' });
      expect(o.metadata.annotations).toEqual({
        'helm.sh/hook': 'post-install,post-upgrade',
        'helm.sh/hook-weight': o.kind === 'Job' ? '0' : '-5',
        'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
      });
    }
  });

  it('may only read certificates in cattle-system', () => {
    expect(byKind.Role.rules).toEqual([{ apiGroups: ['cert-manager.io'], resources: ['certificates'], verbs: ['get', 'list', 'watch'] }]);
    expect(byKind.RoleBinding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'rancher-certificate-wait', namespace: 'cattle-system' }]);
  });

  it("runs the shell image Rancher's own chart uses, unprivileged, with a deadline", () => {
    const pod = byKind.Job.spec.template.spec;
    expect(pod.containers[0].image).toBe(`${SHELL_IMAGE.repository}:${SHELL_IMAGE.tag}`);
    expect(pod).toMatchObject({ serviceAccountName: 'rancher-certificate-wait', restartPolicy: 'Never', securityContext: { runAsNonRoot: true } });
    expect(pod.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(byKind.Job.spec).toMatchObject({ backoffLimit: 3, activeDeadlineSeconds: 960 });
  });

  it('pulls the image from the air-gap registry when one is set', () => {
    const job = certificateWaitObjects('registry.internal:5000').find((o) => o.kind === 'Job') as any;
    expect(job.spec.template.spec.containers[0].image).toBe('registry.internal:5000/rancher/shell:v0.7.1');
  });

  it('waits for the certificate to exist, then for Ready, in a script bash accepts (no Helm template syntax)', () => {
    const [shell, flags, script] = byKind.Job.spec.template.spec.containers[0].command;
    expect([shell, flags]).toEqual(['bash', '-ec']);
    expect(script).toContain('until kubectl -n cattle-system get certificate tls-rancher-ingress');
    expect(script).toContain('kubectl -n cattle-system wait --for=condition=Ready certificate/tls-rancher-ingress --timeout=900s');
    expect(script).not.toMatch(/\{\{|\$\{/);
    expect(spawnSync('bash', ['-n', '-c', script]).status).toBe(0);
  });
});
