import { parse } from 'yaml';
import { CIS_EXEMPT_NAMESPACES, CIS_PSA_CONFIG_PATH } from '../../../lib/kubernetes/private/cis-profile';
import { SYSTEM_UPGRADE_NAMESPACE } from '../../../lib/kubernetes/object-names';
import { renderGateChart } from '../../helpers/gates';
import { restrictedViolations } from '../../helpers/pod-security';
import { blockDifference, resources, userDataOf, type TerraformJson } from '../../helpers/synth';
import { placeholderValue, renderTemplate } from '../../helpers/validators';
import { RESTORE_FILE, synthSettings, RKE_HA_STACK } from '../../helpers/variants';

/**
 * `rkeHa.profile: cis` on the whole stack: what it changes against the same
 * settings without it (the servers' user data, nothing else), and that every
 * pod the deployment itself runs is admitted under the restricted policy the
 * profile enforces, or runs in a namespace exempted on purpose.
 */
const synth = (rkeHa: Record<string, unknown>, more: Record<string, unknown> = {}) => synthSettings(RKE_HA_STACK, { rkeHa, ...more }).json;

const userData = (json: TerraformJson): string[] =>
  Object.values(resources(json, 'aws_instance')).map((i) => renderTemplate(userDataOf(json, i), placeholderValue));
const file = (text: string, path: string) => parse(text).write_files.find((f: { path: string }) => f.path === path);

/** Every Job of the gate chart's releases (readiness gates, backup objects), parsed, Terraform references as placeholders. */
function chartJobs(json: TerraformJson): any[] {
  return Object.values<any>(json.resource.helm_release ?? {})
    .filter((r) => String(r.chart).includes('/assets/rancher-aws-gate-chart/'))
    .map((r) => parse(renderGateChart(r.values[0], placeholderValue)));
}

describe('rke-ha with profile cis', () => {
  const plain = synth({});
  const cis = synth({ profile: 'cis' });

  it("changes the servers' user data (the locals ServerNode compresses) and adds the pods-admitted gate with its Events reader, nothing else", () => {
    expect(Object.keys(blockDifference(plain, cis).blocks).sort()).toEqual([
      'locals',
      expect.stringMatching(/^resource\.helm_release\.readiness-gates_pods-admitted_/),
      expect.stringMatching(/^resource\.kubernetes_cluster_role_binding_v1\.readiness-gates_events-cluster-role-binding_/),
      expect.stringMatching(/^resource\.kubernetes_cluster_role_v1\.readiness-gates_events-cluster-role_/),
    ]);
    const [role] = Object.values<any>(cis.resource.kubernetes_cluster_role_v1).filter((r) => r.metadata.name === 'rancher-aws-gates-events');
    expect(role.rule).toEqual([{ api_groups: [''], resources: ['events'], verbs: ['list'] }]);
    const [gate] = Object.values<any>(cis.resource.helm_release).filter((r) => String(r.name).includes('pods-admitted'));
    const job = parse(renderGateChart(gate.values[0], placeholderValue));
    expect(job.spec.template.spec.containers[0].env).toEqual(
      expect.arrayContaining([
        { name: 'GATE', value: 'admitted' },
        { name: 'ROUNDS', value: '18' },
      ]),
    );
    // After Rancher answers /ping: the gate waits for what Rancher starts.
    expect(gate.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^data\.http\..*ping/)]));
    const changed = Object.keys(cis.locals!).filter((name) => JSON.stringify(cis.locals![name]) !== JSON.stringify(plain.locals![name]));
    expect(changed).toEqual([
      expect.stringMatching(/^server-0_user-data_/),
      expect.stringMatching(/^server-1_user-data_/),
      expect.stringMatching(/^server-2_user-data_/),
    ]);
  });

  it('gives every server the profile, the admission configuration and the host script', () => {
    const servers = userData(cis);
    expect(servers).toHaveLength(3);
    for (const text of servers) {
      expect(parse(file(text, '/etc/rancher/rke2/config.yaml').content)).toMatchObject({
        profile: 'cis',
        'pod-security-admission-config-file': CIS_PSA_CONFIG_PATH,
      });
      expect(file(text, CIS_PSA_CONFIG_PATH)).toBeDefined();
      expect(file(text, '/etc/systemd/system/rancher-aws-bootstrap.service.d/cis-profile.conf')).toBeDefined();
    }
    for (const text of userData(plain)) expect(text).not.toContain('profile');
  });

  it.each([
    ['the defaults', {}],
    [
      'a migration restoring a backup (its restore Jobs)',
      {
        rancher: { bootstrap: { enabled: false } },
        backups: { restoreFrom: { file: RESTORE_FILE, bucket: 'rancher-old-rke-ha-backups-20261101000000000000000001' } },
      },
    ],
  ])('with %s, every Job the deployment runs is admitted under restricted, exempt namespace or not', (_name, more) => {
    const jobs = chartJobs(synth({ profile: 'cis' }, more));
    expect(jobs.length).toBeGreaterThanOrEqual(5);
    for (const job of jobs)
      expect({ job: job.metadata.name, violations: restrictedViolations(job.spec.template.spec) }).toEqual({
        job: job.metadata.name,
        violations: [],
      });
    // The gates run where restricted is enforced; only the backup objects' Jobs share the operator's exempt namespace.
    const exempt = jobs.filter((job) => CIS_EXEMPT_NAMESPACES.includes(job.metadata.namespace)).map((job) => job.metadata.namespace);
    expect([...new Set(exempt)]).toEqual(exempt.length ? ['cattle-resources-system'] : []);
    expect(jobs.some((job) => job.metadata.namespace === 'rancher-aws-gates')).toBe(true);
  });

  it("the upgrade controller's namespace admits privileged pods by its own label (its upgrade Jobs mount the host), the one exception outside the list", () => {
    const namespaces = Object.values<any>(resources(cis, 'kubernetes_namespace_v1'));
    const labelled = namespaces.filter((n) => n.metadata.labels?.['pod-security.kubernetes.io/enforce']);
    expect(labelled.map((n) => [n.metadata.name, n.metadata.labels['pod-security.kubernetes.io/enforce']])).toEqual([
      [SYSTEM_UPGRADE_NAMESPACE, 'privileged'],
    ]);
    // The controller itself would be admitted under restricted too.
    const [controller] = Object.values<any>(resources(cis, 'kubernetes_deployment_v1'));
    const context = controller.spec.template.spec.container[0].security_context;
    expect(context).toMatchObject({ allow_privilege_escalation: false, capabilities: { drop: ['ALL'] }, run_as_non_root: true });
  });
});

describe('restrictedViolations (the check above)', () => {
  it('names what restricted refuses in a pod like the Rancher chart renders it', () => {
    expect(restrictedViolations({ containers: [{ name: 'rancher', ports: [{ containerPort: 80 }] }] })).toEqual([
      'container rancher does not set allowPrivilegeEscalation: false',
      'container rancher does not drop ALL capabilities',
      'container rancher may run as root (runAsNonRoot)',
      'container rancher has no RuntimeDefault or Localhost seccomp profile',
    ]);
    expect(restrictedViolations({ hostPID: true, volumes: [{ name: 'root', hostPath: { path: '/' } }], containers: [] })).toEqual([
      'hostPID is set',
      'volume root is of type hostPath',
    ]);
  });
});
