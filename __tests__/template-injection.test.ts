import { SettingsError } from '../lib/config/errors';
import { fieldPaths } from '../app/config/settings-fields';
import { DOCKER_STACK, DockerStack } from '../app/stacks/docker';
import { K8S_HA_STACK, K8sHaStack } from '../app/stacks/k8s-ha';
import { RKE_HA_STACK, RkeHaStack } from '../app/stacks/rke-ha';
import { settings, synthStack } from './helpers/synth';
import { templateStrings } from './helpers/terraform';
import { mergeSettings } from './helpers/variants';

/**
 * Terraform evaluates `${...}` and `%{...}` in every string of a module except
 * variable defaults and backend settings (checked with terraform 1.11: both
 * are taken literally). A settings value carrying them must arrive as the text
 * the user wrote: refused by the settings, or escaped (`$${`, `%%{`) wherever
 * Terraform would evaluate it. This feeds both through every text field.
 */
const EXPRESSION = '${file("/etc/passwd")}';
const DIRECTIVE = '%{ if true }x%{ endif }';
/** The payloads tagged with the field they are fed through, so one synth can carry them all. */
const tagged = (payload: string, field: string) => payload.replace('passwd', `passwd-${field}`).replace('}x%', `}${field}%`);

/** Each settings field: a value carrying the payload, or null when the field is not text (numbers, booleans, enums). */
const PAYLOADS: Record<string, ((p: string) => unknown) | null> = {
  name: (p) => `r${p}`,
  region: (p) => `us-${p}-1`,
  hostname: (p) => `a${p}.example.com`,
  hostedZone: (p) => `${p}.com`,
  'dns.mode': null,
  'dns.wildcardDomain': null,
  adminCidrs: (p) => [p],
  tags: (p) => ({ [`team${p}`]: `v${p}` }),
  'backend.type': null,
  'backend.path': (p) => `../../../state-${p}-<stack>.tfstate`,
  'backend.bucket': (p) => `state${p}`,
  'backend.key': (p) => `rancher/${p}/<stack>.tfstate`,
  'backend.region': (p) => p,
  // A region of the deployment's partition (standby-schema refuses any other text, naming the field).
  'standby.region': (p) => `us-${p}-2`,
  'backend.kmsKeyId': (p) => `alias/${p}`,
  'proxy.http': (p) => `http://proxy${p}:3128`,
  'proxy.https': (p) => `http://proxy${p}:3128`,
  'proxy.noProxy': (p) => [`.corp${p}`],
  'proxy.egressOnlyTo': (p) => [p],
  'airGap.systemDefaultRegistry': (p) => `registry${p}`,
  'airGap.registryMirrors': (p) => ({ 'docker.io': [`https://mirror/${p}`] }),
  'airGap.useBundledSystemChart': null,
  'airGap.rancherChartRepository': (p) => `https://charts/${p}`,
  'airGap.certManagerChartRepository': (p) => `https://charts/${p}`,
  'airGap.rancherBackupChartRepository': (p) => `https://charts/${p}`,
  'airGap.installerUrl': (p) => `https://mirror/install.sh?x=${p}`,
  'airGap.registryCredentials.registry': (p) => `registry${p}`,
  'airGap.registryCredentials.ssmParameter': (p) => `/rancher/${p}`,
  'airGap.registryCredentials.secretsManagerSecret': (p) => `arn:aws:secretsmanager:us-east-1:210987654321:secret:${p}-AbC123`,
  'vpc.flowLogs.destination': null,
  'vpc.flowLogs.retentionDays': null,
  'vpc.endpoints': null,
  'versions.rke2': (p) => `v1.35.7+rke2r1${p}`,
  'versions.k3s': (p) => `v1.35.7+k3s1${p}`,
  'versions.certManager': (p) => `v1.21.1${p}`,
  'versions.rancher': (p) => `2.14.3${p}`,
  'versions.releaseSums': (p) => ({ [`v1.35.8+rke2r1${p}`]: { [`rke2.linux-amd64.tar.gz${p}`]: p } }),
  'rancher.repository': null,
  'rancher.replicas': null,
  'rancher.tls.mode': null,
  'rancher.tls.issuer': null,
  'rancher.tls.privateCA': null,
  'rancher.tls.certificateFile': (p) => `certs/${p}.pem`,
  'rancher.tls.acme.email': (p) => `ops+${p}@example.com`,
  'rancher.tls.acme.environment': null,
  'rancher.auditLog.enabled': null,
  'rancher.auditLog.level': null,
  'rancher.auditLog.destination': null,
  'rancher.auditLog.maxAgeDays': null,
  'rancher.auditLog.maxBackups': null,
  'rancher.auditLog.maxSizeMb': null,
  'rancher.bootstrap.enabled': null,
  'rancher.acceptAgentChange.hostname': (p) => `a${p}.example.com`,
  // A fixed form (the schema refuses anything else).
  'rancher.acceptAgentChange.ca': null,
  'timeouts.apiMinutes': null,
  'timeouts.serversMinutes': null,
  'timeouts.ingressMinutes': null,
  'timeouts.certManagerMinutes': null,
  'timeouts.rancherMinutes': null,
  'timeouts.certificateMinutes': null,
  'timeouts.upgradeMinutes': null,
  'timeouts.pingMinutes': null,
  'timeouts.bootstrapMinutes': null,
  'backups.enabled': null,
  'backups.schedule': (p) => `0 */6 * * ${p}`,
  'backups.retentionCount': null,
  'backups.forceDestroyBucket': null,
  'backups.credentials': null,
  'backups.restoreFrom.file': (p) => `rancher-aws-scheduled-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-11-23T06-00-00Z${p}.tar.gz`,
  'backups.restoreFrom.bucket': (p) => `bucket${p}`,
  // Twelve digits only (the schema refuses anything else).
  'backups.readerAccounts': null,
  'backups.restoreFrom.newHostname': null,
  'backups.restoreFrom.unrecordedSource': null,
  'backups.restoreFrom.disarm': null,
  'backups.restoreFrom.inPlace': null,
  'alarms.enabled': null,
  'alarms.email': (p) => `ops+${p}@example.com`,
  'rkeHa.nodeCount': null,
  'rkeHa.allowQuorumLoss': null,
  'rkeHa.distribution': null,
  'rkeHa.dualStack': null,
  'rkeHa.architecture': null,
  'rkeHa.operatingSystem': null,
  'rkeHa.datastore.engine': null,
  'rkeHa.datastore.instanceClass': (p) => `db.${p}.large`,
  'rkeHa.datastore.allocatedStorageGb': null,
  'rkeHa.datastore.multiAz': null,
  'rkeHa.datastore.backupRetentionDays': null,
  'rkeHa.datastore.deletionProtection': null,
  'rkeHa.datastore.monitoringInterval': null,
  'rkeHa.datastore.logExports': null,
  'rkeHa.datastore.iamAuthentication': null,
  'rkeHa.datastore.port': null,
  'rkeHa.instanceType': (p) => `m6i.${p}`,
  'rkeHa.allowSmallInstanceType': null,
  'rkeHa.rootVolumeGb': null,
  'rkeHa.vpcCidr': (p) => p,
  'rkeHa.privateNodes': null,
  'rkeHa.natGateways': null,
  'rkeHa.loadBalancer.type': null,
  'rkeHa.loadBalancer.deletionProtection': null,
  'rkeHa.loadBalancer.hostnameRecord': null,
  'rkeHa.existingNetwork.vpcId': (p) => `vpc-${p}`,
  'rkeHa.existingNetwork.loadBalancerSubnetIds': (p) => [`subnet-${p}`],
  'rkeHa.existingNetwork.nodeSubnetIds': (p) => [`subnet-${p}`],
  'rkeHa.existingNetwork.datastoreSubnetIds': (p) => [`subnet-${p}`],
  'rkeHa.existingNetwork.nodeHostNumber': null,
  'rkeHa.amiId': (p) => `ami-${p}`,
  'rkeHa.sshKeyName': (p) => `ops-${p}`,
  'rkeHa.ingressController': null,
  'rkeHa.ingressMigration': null,
  'rkeHa.profile': null,
  'rkeHa.etcdSnapshots.scheduleCron': (p) => `0 */6 * * ${p}`,
  'rkeHa.etcdSnapshots.retention': null,
  'rkeHa.etcdSnapshots.forceDestroyBucket': null,
  'rkeHa.etcdSnapshots.accessLogging': null,
  'rkeHa.etcdSnapshots.eventNotifications': null,
  'rkeHa.etcdSnapshots.objectLock': null,
  'k8sHa.access.kubeconfig.path': (p) => `~/.kube/${p}`,
  'k8sHa.access.kubeconfig.context': (p) => `ctx-${p}`,
  'k8sHa.access.variables': null,
  'k8sHa.certManager.install': null,
  'k8sHa.ingress.className': (p) => `nginx${p}`,
  'k8sHa.ingress.service.namespace': (p) => `ns${p}`,
  'k8sHa.ingress.service.name': (p) => `svc${p}`,
  'k8sHa.eks.clusterName': (p) => `prod${p}`,
  'k8sHa.dns.target': (p) => `lb${p}.example.com`,
  'k8sHa.dns.hostnameRecord': null,
  // The standby cluster's (the failover's to read, into the standby stack's k8sHa, whose own cases are above).
  'standby.k8sHa.access.kubeconfig.path': (p) => `~/.kube/sb-${p}`,
  'standby.k8sHa.access.kubeconfig.context': (p) => `sb-${p}`,
  'standby.k8sHa.access.variables': null,
  'standby.k8sHa.ingress.className': (p) => `nginx${p}`,
  'standby.k8sHa.ingress.service.namespace': (p) => `ns${p}`,
  'standby.k8sHa.ingress.service.name': (p) => `svc${p}`,
  'standby.k8sHa.eks.clusterName': (p) => `sb${p}`,
  'standby.k8sHa.dns.target': (p) => `lb${p}.example.com`,
  'docker.instanceType': (p) => `m6i.${p}`,
  'docker.allowSmallInstanceType': null,
  'docker.rootVolumeGb': null,
  'docker.vpcCidr': (p) => p,
  'docker.existingNetwork.vpcId': (p) => `vpc-${p}`,
  'docker.existingNetwork.subnetId': (p) => `subnet-${p}`,
  'docker.existingNetwork.hostNumber': null,
  'docker.amiId': (p) => `ami-${p}`,
  'docker.architecture': null,
  'docker.sshKeyName': (p) => `ops-${p}`,
  'docker.dataVolume.sizeGb': null,
  'docker.dataVolume.finalSnapshot': null,
  'docker.dataVolume.restoreSnapshotId': (p) => `snap-${p}`,
  'docker.dataVolume.snapshots.intervalHours': null,
  'docker.dataVolume.snapshots.time': (p) => p,
  'docker.dataVolume.snapshots.retention': null,
  'docker.tls.issuer': null,
  'docker.tls.mode': null,
  'docker.tls.privateCA': null,
};

/** Settings that make a field count (the e-mail only with issuer acme; an S3 key only with an S3 backend). */
const CONTEXT: Record<string, Record<string, unknown>> = {
  'rancher.tls.acme.email': { rancher: { tls: { issuer: 'acme' } } },
  'backend.key': { backend: { type: 's3', bucket: 'acme-state' } },
  ...Object.fromEntries(
    ['path', 'context'].map((f) => [
      `standby.k8sHa.access.kubeconfig.${f}`,
      { standby: { region: 'us-west-2', k8sHa: { access: { kubeconfig: {} } } } },
    ]),
  ),
};

/**
 * Accepted text no stack carries: the standby cluster's kubeconfig is the failover's to read, which makes it the
 * standby stack's `k8sHa.access` (the k8sHa cases prove that one escaped).
 */
const IN_NO_STACK = new Set(['standby.k8sHa.access.kubeconfig.path', 'standby.k8sHa.access.kubeconfig.context']);

function at(path: string, value: unknown): Record<string, unknown> {
  return path
    .split('.')
    .reverse()
    .reduce<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

/** A payload is evaluated where it appears without its escape: `${` not after `$`, `%{` not after `%`. */
const live = (text: string) => /(?<!\$)\$\{file\(|(?<!%)%\{ if true/.test(text);
/** `escaped` in `text` as written: not preceded by another `$` or `%`, which would make Terraform read one more. */
const exactly = (text: string, escaped: string) =>
  text
    .split(escaped)
    .slice(0, -1)
    .some((before) => !/[$%]$/.test(before));
/** Terraform takes these literally: variable defaults and the backend. */
const literalContext = (path: string) => /^variable\.[^.]+\.default/.test(path) || path.startsWith('terraform.backend');

describe('settings text carrying Terraform template syntax', () => {
  it('classifies every settings field (a new field must be added here)', () => {
    expect(Object.keys(PAYLOADS).sort()).toEqual([...fieldPaths()].sort());
  });

  const textFields = Object.entries(PAYLOADS).filter((e): e is [string, (p: string) => unknown] => e[1] !== null);
  const accepted: Record<string, Record<string, unknown>> = {};

  describe.each([
    ['an expression', EXPRESSION],
    ['a directive', DIRECTIVE],
  ])('%s', (_kind, payload) => {
    it.each(textFields.map(([f]) => f))('%s: refused naming the field, or accepted', (field) => {
      const input = mergeSettings(CONTEXT[field] ?? {}, at(field, PAYLOADS[field]!(tagged(payload, field))));
      try {
        settings(input);
        accepted[`${field} ${tagged(payload, field)}`] = input;
      } catch (error) {
        expect(error).toBeInstanceOf(SettingsError);
        expect((error as SettingsError).problems.map((p) => p.field)).toContainEqual(
          expect.stringMatching(new RegExp(`^${field.replace(/\./g, '\\.')}`)),
        );
      }
    });
  });

  it('lists the text fields that take any text (so every one is proven below)', () => {
    const fields = [...new Set(Object.keys(accepted).map((k) => k.split(' ')[0]))].sort();
    expect(fields).toEqual([
      'alarms.email',
      'backend.key',
      'backend.path',
      'docker.sshKeyName',
      'k8sHa.access.kubeconfig.context',
      'k8sHa.access.kubeconfig.path',
      'rancher.tls.acme.email',
      'rkeHa.sshKeyName',
      'standby.k8sHa.access.kubeconfig.context',
      'standby.k8sHa.access.kubeconfig.path',
    ]);
  });

  it('carries each accepted value to the stacks as written: escaped where Terraform evaluates, raw only where it reads literally', () => {
    expect(Object.keys(accepted).length).toBeGreaterThan(0);
    // The accepted values of one payload at once; an S3 key does not fit a local backend path, so it runs apart.
    const groups = [EXPRESSION, DIRECTIVE].flatMap((payload) => {
      const mine = Object.entries(accepted).filter(([key]) => key.includes(payload.slice(0, 4)));
      return [mine.filter(([key]) => !key.startsWith('backend.key')), mine.filter(([key]) => key.startsWith('backend.key'))];
    });
    for (const group of groups) {
      const input = group.reduce<Record<string, any>>((all, [, one]) => mergeSettings(all, one), {});
      const s = settings(input);
      const strings = [RkeHaStack, K8sHaStack, DockerStack].flatMap((Stack, i) =>
        templateStrings(synthStack((app) => new Stack(app, [RKE_HA_STACK, K8S_HA_STACK, DOCKER_STACK][i], s)).json),
      );
      // Nowhere evaluated...
      expect(strings.filter(({ path, text }) => !literalContext(path) && live(text)).map((e) => e.path)).toEqual([]);
      // ...and none dropped: raw where Terraform reads literally (a kubeconfig default, the backend), escaped elsewhere.
      for (const [key] of group.filter(([k]) => !IN_NO_STACK.has(k.split(' ')[0]))) {
        const payload = key.slice(key.indexOf(' ') + 1);
        // A replacer function: in a replacement string `$$` would be one `$`, leaving `${` as it was.
        const escaped = payload.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
        const found = strings.some(({ path, text }) => (literalContext(path) ? text.includes(payload) : exactly(text, escaped)));
        expect([key, found]).toEqual([key, true]);
      }
    }
  });
});
