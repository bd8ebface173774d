import { S3BucketNotification } from '@cdktn/provider-aws/lib/s3-bucket-notification';
import { Release } from '@cdktf/provider-helm/lib/release';
import { Env } from '@cdktf/provider-kubernetes/lib/env';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { Bytes } from '@cdktn/provider-random/lib/bytes';
import { Id } from '@cdktn/provider-random/lib/id';
import { Fn, TerraformVariable, Token, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { PARTITION_DNS_SUFFIXES, partitionOf } from '../config/aws-regions';
import { BACKUP_FILE } from '../config/backup-file';
import { DEFAULT_BACKUP_RETENTION_COUNT, DEFAULT_BACKUP_SCHEDULE } from '../config/backups-schema';
import { cronProblem } from '../config/cron';
import { s3BucketNameProblem } from '../config/primitives';
import { rancherBackupChart } from '../config/versions';
import { annotationPaths, RANCHER_SECRET_ANNOTATIONS } from '../kubernetes/cluster-writes';
import { SnapshotBucket } from '../kubernetes/snapshot-bucket';
import { stackDnsSuffix } from '../common/aws-context';
import { literalArgument } from '../common/terraform-template';
import type { ChartProxy } from '../network/chart-proxy';
import { CERTIFICATE_VARIABLES } from '../tls/certificate-variables';
import { BackupObjectJobs } from './backup-object-jobs';
import {
  BACKUP_FOLDER,
  BACKUP_NAMESPACE,
  backupObject,
  ENCRYPTION_CONFIG_KEY,
  encryptionConfiguration,
  FIRST_BACKUP,
  restoreObject,
  s3Location,
  SCHEDULED_BACKUP,
  SECRET_BASES,
  SECRET_NAME_PATTERN,
  SECRET_SUFFIX_BYTES,
  type BackupLocation,
  type SecretNames,
} from './backup-objects';
import { BACKUP_CREDENTIALS_PORT } from '../kubernetes/private/server-units';
import { BACKUP_WAIT_MINUTES } from '../config/wait-budgets';
import { BackupWriter, type BackupRole } from './backup-writer';
import { BackupServiceAccountRole, POD_IDENTITY_AGENT_ADDRESS, type EksIdentityMechanism } from './backup-service-account-role';
import { BackupRecord, RECORD_FOLDER, RestorePreflight, type AgentCaChoice, type AgentCaSource, type BackupRecordObjects } from './restore-preflight';

/** The Terraform variable of the user's CA certificate, as the preflight's message names it (CERTIFICATE_VARIABLES). */
const CA_CERTIFICATE_VARIABLE = CERTIFICATE_VARIABLES.caCertificate;

/** Rancher's chart repository, where the rancher-backup charts are published. */
export const RANCHER_CHARTS_REPOSITORY = 'https://charts.rancher.io';

/** The backups' schedule, bucket, readers, restore, and how the operator writes. */
export interface RancherBackupsProps {
  /** The deployment's prefix (`<name>-<stack id>`): the bucket and the writer are named after it. */
  readonly name: string;
  /**
   * Install the operator, its writer identity, the encryption key and the backups. Off keeps the bucket, the backups in
   * it and its guards (turning backups off destroys no backup). @default true
   */
  readonly enabled?: boolean;
  /** When the recurring backup runs: a five-field cron expression (UTC), as the operator's Backup takes it. @default '0 *\/6 * * *' */
  readonly schedule?: string;
  /** How many scheduled backups the operator keeps (1 to 1000); older ones stay recoverable 30 days as noncurrent versions. @default 28 */
  readonly retentionCount?: number;
  /** Let `destroy` delete the bucket with its backups; otherwise the bucket is `prevent_destroy`. @default false */
  readonly forceDestroyBucket?: boolean;
  /**
   * AWS account ids (12 digits, at most 20, none twice) whose deployments may restore from the bucket (a migration
   * into another account): each may list it and read the backups and their record, nothing more. @default none
   */
  readonly readerAccounts?: readonly string[];
  /**
   * A backup restored before Rancher is installed (a migration; docs/backups.md), checked by the plan first:
   * `file` as the operator named it (no folder, `.enc` when encrypted), in `bucket` (no periods; @default this
   * construct's bucket). `newHostname` accepts another hostname than the backup's deployment had, `unrecordedSource`
   * a bucket without this project's record, `disarm` a drill's restore, whose restored credentials are deleted
   * before Rancher starts (each @default false). Nothing is restored with `enabled` false. @default none
   */
  readonly restoreFrom?: {
    /** The backup's file name. */
    readonly file: string;
    /** Its bucket. @default this construct's bucket */
    readonly bucket?: string;
    /** Accept another hostname than the backup's deployment had. @default false */
    readonly newHostname?: boolean;
    /** Accept a bucket without this project's record. @default false */
    readonly unrecordedSource?: boolean;
    /** A drill's restore: restored credentials deleted before Rancher starts. @default false */
    readonly disarm?: boolean;
    /**
     * A restore onto this deployment's running cluster (a failback): Rancher's in-place restore, a Restore object of
     * its own per file, prune on. @default false
     */
    readonly inPlace?: boolean;
  };
  /** The stack's region: the bucket's, which the operator reaches at `s3.<region>.<the partition's DNS suffix>`. */
  readonly region: string;
  /** `airGap.systemDefaultRegistry`: the operator's and the Jobs' images come from there. */
  readonly registry?: string;
  /** `airGap.rancherBackupChartRepository`. @default RANCHER_CHARTS_REPOSITORY */
  readonly repository?: string;
  /** The outbound proxy the operator reaches S3 through. */
  readonly proxy?: ChartProxy;
  /** Budget of each chart install and of each wait for the operator (the first backup, the restore). @default 15 */
  readonly minutes?: number;
  /** The cluster ready for charts (the servers' gate). */
  readonly dependsOn: ITerraformDependable[];
  /** With `restoreFrom`: what must exist before the restore (Rancher's namespace and its TLS secrets, which it updates). */
  readonly restoreAfter?: ITerraformDependable[];
  /** Terraform name of the variable holding the EncryptionConfiguration of the deployment a migration restores from. */
  readonly restoreVariableName: string;
  /** `versions.rancher`: recorded beside the backups, and what a migration's backup must have been written with. */
  readonly rancherVersion: string;
  /** Rancher's hostname (a reference where it is one): recorded beside the backups. */
  readonly hostname: string;
  /** Whether the plan knows `hostname` (not a wildcard name derived from addresses): only then does a restore compare it. */
  readonly hostnameInPlan: boolean;
  /** SSM path of the deployment's parameters (`/<name>/<stack id>`): a finished restore leaves its marker under it. */
  readonly parameterPath: string;
  /**
   * The CA downstream agents are to trust (from `rancher.tls`): recorded beside the backups (Rancher's own by the
   * certificate `scheduleAfter` is given), and what a restore under the same hostname must match. @default not recorded
   */
  readonly agentCa?: AgentCaChoice;
  /**
   * Send the bucket's events to EventBridge, where the backup freshness alarm counts new backups (alarms.enabled).
   * @default false
   */
  readonly eventBridge?: boolean;
  /**
   * The role the servers assume and hand to the operator (backups.credentials: servers, RancherOnRke): no writer user,
   * no key, no credential Secret. @default none: an IAM user with an access key (BackupWriter)
   */
  readonly role?: BackupRole;
  /**
   * The cluster is EKS and gives the operator's service account a role of its own (backups.credentials: irsa or
   * pod-identity, RancherOnExistingCluster): no writer user, no key, no credential Secret. Not with `role`.
   * @default none: an IAM user with an access key (BackupWriter)
   */
  readonly eks?: {
    /** The EKS cluster's name. */
    readonly clusterName: string;
    /** IRSA or Pod Identity. */
    readonly mechanism: EksIdentityMechanism;
  };
}

type RestoreFrom = NonNullable<RancherBackupsProps['restoreFrom']>;

/** RancherBackupsProps with their defaults, resolved once (`restoreFrom.bucket` stays optional: unset is this bucket). */
interface ResolvedBackups extends Required<
  Pick<RancherBackupsProps, 'enabled' | 'schedule' | 'retentionCount' | 'forceDestroyBucket' | 'readerAccounts' | 'minutes'>
> {
  readonly restoreFrom?: Required<Omit<RestoreFrom, 'bucket'>> & Pick<RestoreFrom, 'bucket'>;
}

/**
 * The props' own rules, in their words, then their defaults. What the operator or S3 would refuse minutes into the
 * apply is refused here, at synth; a Terraform reference is left to them.
 */
function resolveProps(path: string, props: RancherBackupsProps): ResolvedBackups {
  const refuse = (problem: string): never => {
    throw new Error(`RancherBackups ${path}: ${problem}`);
  };
  const literal = (value: unknown) => !Token.isUnresolved(value);
  const schedule = props.schedule ?? DEFAULT_BACKUP_SCHEDULE;
  if (literal(schedule)) {
    if (!/^(\S+\s+){4}\S+$/.test(schedule)) refuse(`schedule "${schedule}" is not a five-field cron expression such as "${DEFAULT_BACKUP_SCHEDULE}"`);
    const problem = cronProblem(schedule);
    if (problem) refuse(`schedule "${schedule}": ${problem} (the rancher-backup operator would refuse it)`);
  }
  const retentionCount = props.retentionCount ?? DEFAULT_BACKUP_RETENTION_COUNT;
  if (literal(retentionCount) && !(Number.isInteger(retentionCount) && retentionCount >= 1 && retentionCount <= 1000))
    refuse(`retentionCount ${retentionCount} is not a whole number from 1 to 1000`);
  const readerAccounts = props.readerAccounts ?? [];
  const account = readerAccounts.find((id) => literal(id) && !/^\d{12}$/.test(id));
  if (account !== undefined) refuse(`readerAccounts has "${account}", which is not an AWS account id (12 digits)`);
  if (readerAccounts.length > 20) refuse(`readerAccounts lists ${readerAccounts.length} accounts; at most 20`);
  const twice = readerAccounts.find((id, i) => literal(id) && readerAccounts.indexOf(id) !== i);
  if (twice !== undefined) refuse(`readerAccounts lists ${twice} twice`);
  const from = props.restoreFrom;
  if (from && literal(from.file) && !BACKUP_FILE.test(from.file))
    refuse(
      `restoreFrom.file "${from.file}" is not a file name the rancher-backup operator writes, such as ` +
        'rancher-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-11-23T06-00-00Z.tar.gz.enc (no folder)',
    );
  const bucketProblem = from?.bucket !== undefined && literal(from.bucket) ? s3BucketNameProblem(from.bucket, { dots: false }) : undefined;
  if (bucketProblem) refuse(`restoreFrom.bucket "${from!.bucket}": ${bucketProblem} (the operator reaches it by virtual host over TLS)`);
  if (from?.disarm && from.inPlace)
    refuse(
      "restoreFrom.disarm (a drill's restore into a throwaway) and restoreFrom.inPlace (a restore onto this running deployment) exclude each other",
    );
  if (props.role && props.eks) refuse("role (the servers') and eks (EKS's) are two ways to give the operator credentials; give one");
  return {
    enabled: props.enabled ?? true,
    schedule,
    retentionCount,
    forceDestroyBucket: props.forceDestroyBucket ?? false,
    readerAccounts,
    ...(from
      ? {
          restoreFrom: {
            file: from.file,
            ...(from.bucket === undefined ? {} : { bucket: from.bucket }),
            newHostname: from.newHostname ?? false,
            unrecordedSource: from.unrecordedSource ?? false,
            disarm: from.disarm ?? false,
            inPlace: from.inPlace ?? false,
          },
        }
      : {}),
    minutes: props.minutes ?? BACKUP_WAIT_MINUTES,
  };
}

/** The operator's pod template annotation naming where its credentials come from: a change of it rolls the pod. */
export const CREDENTIALS_ANNOTATION = 'rancher-ha-aws/backup-credentials';

/** The operator's Deployment and container, as its chart names them (`backupRestore.fullname`: the chart's name). */
export const OPERATOR_DEPLOYMENT = 'rancher-backup';
/** Where a pod's service account token is mounted (Kubernetes' default projected token): what the operator sends. */
const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * Rancher's backups (docs/backups.md): a bucket of the deployment (private,
 * TLS only, versioned, `prevent_destroy` unless `forceDestroyBucket`: the
 * guards of the etcd snapshot bucket), kept whether or not backups are on;
 * with `enabled`, the rancher-backup operator (CRD chart first), its writer
 * identity, an EncryptionConfiguration with a key Terraform generates, the
 * migration's Restore before Rancher is installed (`restoreFrom`), and, once
 * Rancher answers (`scheduleAfter`), a first backup the apply waits for and
 * the recurring one.
 */
export class RancherBackups extends Construct {
  /** The backup bucket (versioned, encrypted; `prevent_destroy` unless `forceDestroyBucket`). */
  readonly bucket: SnapshotBucket;
  /** The EncryptionConfiguration the backups are encrypted with (sensitive): without it they cannot be restored. */
  readonly encryptionConfig?: string;
  /** What Rancher's release waits for: the restore of `restoreFrom` when set, nothing otherwise. */
  readonly restored: ITerraformDependable[] = [];
  /** The Helm releases: the CRDs' chart, then the operator's (none while backups are off). */
  readonly releases: readonly Release[] = [];
  /** The record of what the backups are written with, and of the CA agents trust (`scheduleAfter`; none while backups are off). */
  record?: BackupRecordObjects;
  private readonly props: RancherBackupsProps;
  private readonly resolved: ResolvedBackups;
  private readonly jobs?: BackupObjectJobs;
  private readonly location?: BackupLocation;
  private readonly operator?: Release;
  /** The operator and, with the servers' credentials, its environment: what the Backup and Restore Jobs wait for. */
  private readonly ready: ITerraformDependable[] = [];

  constructor(scope: Construct, id: string, props: RancherBackupsProps) {
    super(scope, id);
    this.props = props;
    const s = (this.resolved = resolveProps(this.node.path, props));
    const { minutes } = s;
    // Outside `enabled`: turning backups off keeps the bucket, its backups and its guards.
    this.bucket = new SnapshotBucket(this, 'bucket', {
      namePrefix: `${props.name}-backups-`,
      forceDestroy: s.forceDestroyBucket,
      // Another account's migration reads the backups and the record beside them (docs/backups.md, "Another account").
      readers: { accounts: s.readerAccounts, objectPrefixes: [`${BACKUP_FOLDER}/`, RECORD_FOLDER] },
    });
    if (props.eventBridge) new S3BucketNotification(this, 'bucket-notification', { bucket: this.bucket.name, eventbridge: true });
    if (!s.enabled) return;

    const writer =
      props.role || props.eks
        ? undefined
        : new BackupWriter(this, 'writer', { name: props.name, bucket: this.bucket.name, restoreBucket: s.restoreFrom?.bucket });
    const grant = props.role?.grant(this, 'role-policy', { bucket: this.bucket.name, restoreBucket: s.restoreFrom?.bucket });
    const eksRole = props.eks
      ? new BackupServiceAccountRole(this, 'service-account-role', {
          name: props.name,
          bucket: this.bucket.name,
          restoreBucket: s.restoreFrom?.bucket,
          clusterName: props.eks.clusterName,
          mechanism: props.eks.mechanism,
          namespace: BACKUP_NAMESPACE,
          serviceAccount: OPERATOR_DEPLOYMENT,
        })
      : undefined;
    const namespace = new NamespaceV1(this, 'namespace', {
      metadata: { name: BACKUP_NAMESPACE },
      dependsOn: props.dependsOn,
      // As for cattle-system: Rancher marks the namespace (cluster-writes.ts) and may put it in its System project, and a
      // restore writes the labels and annotations the old deployment's had.
      lifecycle: { ignoreChanges: ['metadata[0].labels', 'metadata[0].annotations'] },
    });
    const ns = namespace.metadata.name;
    const suffix = new Id(this, 'secret-suffix', { byteLength: SECRET_SUFFIX_BYTES }).hex;
    const secrets: SecretNames = {
      credentials: `${SECRET_BASES.credentials}-${suffix}`,
      encryption: `${SECRET_BASES.encryption}-${suffix}`,
      restoreEncryption: `${SECRET_BASES.restoreEncryption}-${suffix}`,
    };
    // Rancher stamps the secrets of a namespace in a project with it (cluster-writes.ts).
    const stamped = { ignoreChanges: annotationPaths(RANCHER_SECRET_ANNOTATIONS) };
    const credentials = writer
      ? new SecretV1(this, 'credentials', {
          metadata: { name: secrets.credentials, namespace: ns },
          data: { accessKey: writer.key.id, secretKey: writer.key.secret },
          lifecycle: stamped,
        })
      : undefined;
    // 32 random bytes, base64: a secretbox key. In state (as every generated secret is) and in the sensitive output.
    const key = new Bytes(this, 'encryption-key', { length: 32 });
    this.encryptionConfig = Fn.yamlencode(encryptionConfiguration(key.base64));
    const encryption = new SecretV1(this, 'encryption', {
      metadata: { name: secrets.encryption, namespace: ns },
      data: { [ENCRYPTION_CONFIG_KEY]: this.encryptionConfig },
      lifecycle: stamped,
    });

    const repository = props.repository ?? RANCHER_CHARTS_REPOSITORY;
    const chart = (releaseId: string, name: string, values: Record<string, unknown> | undefined, dependsOn: ITerraformDependable[]) =>
      new Release(this, releaseId, {
        name,
        repository,
        chart: name,
        version: rancherBackupChart(props.rancherVersion).version,
        namespace: ns,
        wait: true,
        atomic: true,
        timeout: minutes * 60,
        values: values ? [Fn.yamlencode(literalArgument(values))] : undefined,
        dependsOn,
      });
    // The CRDs are a chart of their own, installed first (the operator's chart refuses to install without them).
    const crds = chart('crd-release', 'rancher-backup-crd', undefined, [namespace]);
    // The region is a literal here, so is its partition's suffix: the Backup objects' text, which names each Job
    // (jobName), stays what it was before partitions were told apart, and no deployment re-runs its backup Jobs.
    const dnsSuffix = Token.isUnresolved(props.region) ? stackDnsSuffix(this) : PARTITION_DNS_SUFFIXES[partitionOf(props.region)];
    this.location = { bucket: this.bucket.name, region: props.region, dnsSuffix, secrets, ...(writer ? {} : { keyless: true }) };
    const needs = writer
      ? [crds, credentials!, encryption, writer.policy]
      : eksRole
        ? // The association before the pod: EKS's webhook injects the credentials' address when the pod is created.
          [crds, encryption, eksRole.policy, ...(eksRole.association ? [eksRole.association] : [])]
        : [crds, encryption, grant!, props.role!.assume];
    const identity =
      eksRole && props.eks ? { mechanism: props.eks.mechanism, serviceAccountAnnotations: eksRole.serviceAccountAnnotations() } : undefined;
    this.operator = chart('release', 'rancher-backup', operatorValues(this.location, props, identity), needs);
    this.releases = [crds, this.operator];
    // What every Backup and Restore waits for: the operator, and where it gets its credentials from.
    const ready: ITerraformDependable[] = [this.operator];
    if (props.role) {
      // The chart sets no environment of ours: added to its Deployment by server-side apply (a field manager of
      // our own, so a chart upgrade keeps them). minio-go v7.0.87 asks AWS_CONTAINER_CREDENTIALS_FULL_URI, sending
      // the token file's content as Authorization; with a token file it takes a non-loopback address (the node's).
      ready.push(
        new Env(this, 'operator-credentials', {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: OPERATOR_DEPLOYMENT, namespace: ns },
          container: OPERATOR_DEPLOYMENT,
          fieldManager: 'rancher-ha-aws',
          force: true,
          env: [
            { name: 'RANCHER_AWS_NODE_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
            { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: `http://$(RANCHER_AWS_NODE_IP):${BACKUP_CREDENTIALS_PORT}/rancher-backup` },
            { name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', value: SERVICE_ACCOUNT_TOKEN },
          ],
          dependsOn: [this.operator],
        }),
      );
    }
    this.ready = ready;
    this.jobs = new BackupObjectJobs(this, 'jobs', { namespace: ns, registry: props.registry, dependsOn: [crds] });

    if (s.restoreFrom) {
      const file = s.restoreFrom.file;
      const restoreSecrets: ITerraformDependable[] = [];
      const encrypted = file.endsWith('.enc');
      const source = { ...this.location, bucket: s.restoreFrom.bucket ?? this.bucket.name };
      // Before anything is created: the plan reads the backup's bucket and fails on the first problem it finds.
      const preflight = new RestorePreflight(this, 'restore-preflight', {
        restoreFrom: s.restoreFrom,
        bucket: source.bucket,
        rancherVersion: props.rancherVersion,
        hostname: props.hostnameInPlan ? props.hostname : undefined,
        encryptionConfig: encrypted ? `var.${props.restoreVariableName}` : undefined,
        parameterPath: props.parameterPath,
        ...(props.agentCa ? { agentCa: { choice: props.agentCa, tlsSetting: 'rancher.tls', caVariable: CA_CERTIFICATE_VARIABLE } } : {}),
      });
      if (encrypted) {
        const config = new TerraformVariable(this, 'restore-encryption-config', {
          type: 'string',
          sensitive: true,
          nullable: false,
          description: `The EncryptionConfiguration of the deployment backups.restoreFrom comes from (terraform output -raw rancher_backup_encryption_config, there): ${file} is encrypted with it`,
          validation: [
            {
              condition: `\${can(regex("EncryptionConfiguration", var.${props.restoreVariableName}))}`,
              errorMessage:
                'Expected the YAML of an EncryptionConfiguration (the rancher_backup_encryption_config output of the deployment the backup comes from).',
            },
          ],
        });
        config.overrideLogicalId(props.restoreVariableName);
        restoreSecrets.push(
          new SecretV1(this, 'restore-encryption', {
            metadata: { name: secrets.restoreEncryption, namespace: ns },
            data: { [ENCRYPTION_CONFIG_KEY]: config.stringValue },
            lifecycle: stamped,
          }),
        );
      }
      const restore = this.jobs.apply('migration-restore', {
        object: restoreObject({ file, location: source, inPlace: s.restoreFrom.inPlace }),
        minutes,
        // The old deployment's Secrets come back under their own suffix: its writer's key (still valid while that
        // deployment stands, when it had one) and its encryption configuration. This deployment's are kept.
        removeSecrets: { pattern: SECRET_NAME_PATTERN, keep: Object.values(secrets) },
        // A drill's: production's credentials never act from here (restore-disarm.sh).
        disarm: s.restoreFrom.disarm,
        dependsOn: [...this.ready, ...restoreSecrets, ...(props.restoreAfter ?? []), ...preflight.checks],
      });
      this.restored.push(restore, preflight.markDone(file, [restore]));
    }
  }

  /**
   * The first backup, which the apply waits for, then the recurring one (its schedule and retention changed in
   * place: the operator keeps counting the files of the same Backup), after the record of what they are written with
   * (and, with the `agentCa` prop, of the CA downstream agents trust: Rancher's own as `rancherCaCertificate`, the
   * `tls.crt` of tls-rancher read after Rancher answered). Nothing with backups off.
   */
  scheduleAfter(dependsOn: ITerraformDependable[], rancherCaCertificate?: string): ITerraformDependable[] {
    if (!this.jobs || !this.location || !this.operator || !this.encryptionConfig) return [];
    const { schedule, retentionCount, minutes } = this.resolved;
    const choice = this.props.agentCa;
    const agentCa: AgentCaSource | undefined =
      choice?.kind === 'rancher' ? (rancherCaCertificate === undefined ? undefined : { kind: 'rancher', certificate: rancherCaCertificate }) : choice;
    // Before the first backup: every backup's time is then after the record's, for a restore to rely on it.
    const record = (this.record = new BackupRecord(this, 'record', {
      bucket: this.bucket.name,
      rancherVersion: this.props.rancherVersion,
      hostname: this.props.hostname,
      encryptionConfig: this.encryptionConfig,
      dependsOn,
      ...(agentCa ? { agentCa } : {}),
    }));
    const first = this.jobs.apply('first-backup', {
      object: backupObject({ name: FIRST_BACKUP, location: this.location }),
      minutes,
      dependsOn: [...this.ready, ...dependsOn, record.object, ...(record.caObject ? [record.caObject] : [])],
    });
    const scheduled = this.jobs.apply('scheduled-backup', {
      object: backupObject({ name: SCHEDULED_BACKUP, location: this.location, schedule, retentionCount }),
      minutes,
      dependsOn: [first],
    });
    return [first, scheduled];
  }
}

/**
 * The operator chart's values: the bucket as its default location (backups started from Rancher's UI go there too).
 * Without the client settings: the chart would write them into its Secret as a JSON string, which the operator
 * (v10.0.8, pkg/operator/start.go) decodes into an object and fails to start on; that location stays dual-stack.
 */
export function operatorValues(
  location: BackupLocation,
  props: Pick<RancherBackupsProps, 'registry' | 'proxy'>,
  identity?: { readonly mechanism: EksIdentityMechanism; readonly serviceAccountAnnotations: Record<string, string> },
): Record<string, unknown> {
  const { clientConfig: _dualStack, ...s3 } = s3Location(location).s3 as Record<string, unknown>;
  // EKS Pod Identity's agent answers on a link-local address, which Go's proxy settings send through the proxy.
  const noProxy = props.proxy ? [...props.proxy.noProxy, ...(identity?.mechanism === 'pod-identity' ? [POD_IDENTITY_AGENT_ADDRESS] : [])] : [];
  return {
    s3: { enabled: true, ...s3 },
    ...(props.registry ? { global: { cattle: { systemDefaultRegistry: props.registry } } } : {}),
    ...(props.proxy ? { proxy: props.proxy.url, noProxy: noProxy.join(',') } : {}),
    ...(identity
      ? {
          ...(Object.keys(identity.serviceAccountAnnotations).length ? { serviceAccount: { annotations: identity.serviceAccountAnnotations } } : {}),
          // EKS's webhook injects the credentials' environment only into pods created after the role or association
          // exists: a change of mechanism changes the pod template, so the chart's upgrade rolls the operator.
          extraAnnotations: { [CREDENTIALS_ANNOTATION]: identity.mechanism },
        }
      : {}),
  };
}
