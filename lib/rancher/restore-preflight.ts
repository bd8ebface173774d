import { DataAwsS3Objects } from '@cdktn/provider-aws/lib/data-aws-s3-objects';
import { DataAwsSsmParametersByPath } from '@cdktn/provider-aws/lib/data-aws-ssm-parameters-by-path';
import { S3Object } from '@cdktn/provider-aws/lib/s3-object';
import { SsmParameter } from '@cdktn/provider-aws/lib/ssm-parameter';
import { Fn, Op, Token, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { TerraformData } from '../common/terraform-data';
import { hclString, literal } from '../common/terraform-template';
import { BACKUP_FOLDER } from './backup-objects';
import { CA_RECORD_FOLDER, RECORDED_CA } from './ca-record';

/**
 * Where a deployment records, beside its backups, what a restore of them must match (docs/backups.md,
 * "Preflight"): one object whose key carries the fields, so the target's plan reads them with a listing alone.
 */
export const RECORD_FOLDER = 'rancher-aws/record/';

export { CA_RECORD_FOLDER, RECORDED_CA } from './ca-record';

/** Which CA a deployment's agents are to trust, as its settings give it (with a private CA, its certificate: a reference). */
export type AgentCaChoice =
  /** Rancher's own CA, made in the cluster (tls-rancher), or brought back by a restore. */
  | {
      /** Which CA. */
      readonly kind: 'rancher';
    }
  /** The user's private CA: `tls_ca_certificate_pem`. */
  | {
      /** Which CA. */
      readonly kind: 'private';
      /** The CA certificate, PEM (a reference to the variable). */
      readonly certificate: string;
    }
  /** A public CA. */
  | {
      /** Which CA. */
      readonly kind: 'public';
    }
  /** Let's Encrypt staging. */
  | {
      /** Which CA. */
      readonly kind: 'staging';
    };

/** Which CA agents trust, and the certificate (a Terraform reference, sensitive) where one is published. */
export type AgentCaSource =
  /** Rancher's own CA. */
  | {
      /** Which CA. */
      readonly kind: 'rancher';
      /** `tls.crt` of Secret cattle-system/tls-rancher, as the readiness probe reads it. */
      readonly certificate: string;
    }
  /** The user's private CA, or none published. */
  | Exclude<AgentCaChoice, { readonly kind: 'rancher' }>;

/**
 * The SHA-256 agents compare Rancher's published CA with (a Terraform expression of the PEM): Rancher trims the CA
 * it publishes as cacerts (rancher v2.15.0 pkg/tls/tls.go, SetupListener: strings.TrimSpace), the agents' checksum is
 * of that text with a newline added (pkg/systemtemplate/import.go, CAChecksum), and the cluster agent's start hashes
 * what `jq -r` prints of cacerts, which is the same text and newline (package/run.sh). A hash of a public
 * certificate: nothing secret, so it is taken out of the sensitive value it is computed from.
 */
export function agentCaChecksum(pem: string): string {
  return `nonsensitive(sha256(format("%s\\n", trimspace(${pem}))))`;
}

/** The fields of a record, in the order of its key. */
export const RECORD_FIELDS = ['rancher', 'hostname', 'encryption', 'since'] as const;
export type RecordField = (typeof RECORD_FIELDS)[number];

/**
 * The value of `field` in the record key `keys[0]` (a Terraform expression of a listing's keys), "" when there is
 * none: Terraform evaluates both sides of `||`, so a condition guarded by the listing's length must not fail on an
 * empty one.
 */
export function recordField(keys: string, field: RecordField): string {
  return `try(regex("/${field}=([^/]+)${field === 'since' ? '$' : '/'}", ${keys}[0])[0], "")`;
}

/**
 * A digest of an EncryptionConfiguration (a Terraform expression of its YAML) that does not depend on how the YAML
 * is written (key order, quoting, a trailing newline lost in a shell): the SHA-256 of its canonical JSON. It tells
 * two configurations apart and gives nothing of the 32-byte key away.
 */
export function encryptionDigest(yaml: string): string {
  return `try(sha256(jsonencode(yamldecode(${yaml}))), "unreadable")`;
}

/** The time in a backup file's name (`...-2026-11-23T06-00-00Z.tar.gz`), as RFC 3339; undefined when none. */
export function backupFileTime(file: string): string | undefined {
  const m = /-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})(Z|[+-]\d{2}-\d{2})\.tar\.gz(\.enc)?$/.exec(file);
  if (!m) return undefined;
  const zone = m[5] === 'Z' ? 'Z' : `${m[5].slice(0, 3)}:${m[5].slice(4)}`;
  return `${m[1]}T${m[2]}:${m[3]}:${m[4]}${zone}`;
}

/** A setting inside a Terraform expression: a reference (a variable) as is, a literal quoted and escaped. */
const valueExpression = (value: string) => (Token.isUnresolved(value) ? value : hclString(value));

/** The same pattern in Terraform's RE2 (no backslashes: the expression passes through JSON and HCL strings). */
const FILE_TIME = '-([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}(Z|[+-][0-9]{2}-[0-9]{2}))[.]tar[.]gz([.]enc)?$';

/**
 * "the newest there is <file>" or "it holds no backup", from a listing's keys (a Terraform expression): the newest by
 * the time in the file names (the operator writes them in UTC, so they sort as text).
 */
export function newestBackupPhrase(keys: string): string {
  const stamped = `[for k in ${keys} : "${'$'}{regex("${FILE_TIME}", k)[0]}|${'$'}{trimprefix(k, "${BACKUP_FOLDER}/")}" if can(regex("${FILE_TIME}", k))]`;
  return `[for s in [sort(${stamped})] : length(s) == 0 ? "it holds no backup" : "the newest there is ${'$'}{split("|", s[length(s) - 1])[1]}"][0]`;
}

/** The objects of a deployment's backup record, as another construct reads them (the standby's facts). */
export interface BackupRecordObjects {
  /** The record: an object whose key holds the fields, beside the backups. */
  readonly object: S3Object;
  /** The record of the CA agents trust, where one is recorded. */
  readonly caObject?: S3Object;
}

export interface BackupRecordProps {
  /** The backup bucket (a reference). */
  readonly bucket: string;
  /** `versions.rancher`. */
  readonly rancherVersion: string;
  /** Rancher's hostname (a reference where it is one). */
  readonly hostname: string;
  /** The EncryptionConfiguration the backups are written with (a reference, sensitive). */
  readonly encryptionConfig: string;
  /** Rancher installed at this version: the record's time is after it, so later backups are of this version. */
  readonly dependsOn: ITerraformDependable[];
  /** The CA downstream agents trust, recorded beside the record (CA_RECORD_FOLDER). @default not recorded */
  readonly agentCa?: AgentCaSource;
}

/**
 * The record of the source side (docs/backups.md, "Preflight"): the Rancher version, hostname and encryption a
 * backup of this deployment carries, with `agentCa` the CA its downstream agents trust (an object of its own), and
 * since when (`since`: the apply that last changed one of them, after Rancher's release of that apply). A backup whose time is after `since` was written with these; one before may
 * not have been. Written by Terraform (not the operator's writer), outside the operator's folder, so retention never
 * counts or deletes it; kept by `teardown --keep-snapshots` with the bucket.
 */
export class BackupRecord extends Construct implements BackupRecordObjects {
  readonly object: S3Object;
  /** The record of the CA agents trust (with `agentCa`). */
  readonly caObject?: S3Object;

  constructor(scope: Construct, id: string, props: BackupRecordProps) {
    super(scope, id);
    const rancher = literal(props.rancherVersion);
    const hostname = literal(props.hostname);
    // encryptionDigest() of a configuration this project wrote (always YAML), in cdktf's functions to carry the reference.
    const encryption = Fn.sha256(Fn.jsonencode(Fn.yamldecode(props.encryptionConfig)));
    const ca = props.agentCa ? recordedCa(this, props.agentCa) : undefined;
    // Replaced (a new time) when a field changes; otherwise the time of the first apply stays. The CA moves it too,
    // but not as a fourth trigger, which would replace it at the upgrade that starts recording the CA (every earlier
    // backup then older than its record); nor by replace_triggered_by, which cdktf's HCL synth writes as a quoted
    // string Terraform refuses. The encryption's trigger carries the CA once it differs from the one first recorded
    // (`ca-baseline`, created with the value it compares, so equal at the upgrade): a new private CA or another kind
    // of CA changes it; the same CA, first recorded or back again after a change, leaves or puts it back as it was.
    const caTrigger = props.agentCa ? caIdentity(props.agentCa) : undefined;
    const baseline = caTrigger ? new TerraformData(this, 'ca-baseline', { input: caTrigger, lifecycle: { ignoreChanges: ['input'] } }) : undefined;
    const encryptionTrigger = baseline
      ? Fn.format('%s%s', [encryption, Fn.conditional(Op.eq(baseline.plannedInput, caTrigger), '', Fn.format(' ca=%s', [caTrigger]))])
      : encryption;
    const since = new TerraformData(this, 'since', {
      input: '${timestamp()}',
      triggersReplace: [rancher, hostname, encryptionTrigger],
      lifecycle: { ignoreChanges: ['input'] },
      dependsOn: props.dependsOn,
    });
    const fields: Record<RecordField, string> = { rancher, hostname, encryption, since: since.output };
    this.object = new S3Object(this, 'object', {
      bucket: props.bucket,
      key: `${RECORD_FOLDER}${RECORD_FIELDS.map((f) => `${f}=${fields[f]}`).join('/')}`,
      content: Fn.jsonencode(fields),
      contentType: 'application/json',
    });
    if (ca) {
      this.caObject = new S3Object(this, 'ca-object', {
        bucket: props.bucket,
        key: `${CA_RECORD_FOLDER}ca=${ca.plannedInput}`,
        content: Fn.jsonencode({ ca: ca.plannedInput }),
        contentType: 'application/json',
        dependsOn: props.dependsOn,
      });
    }
  }
}

/**
 * The recorded CA as a `terraform_data` (`ca`): its input is the value, replaced with another kind of CA. Rancher's own CA is read from the cluster, a read Terraform defers to
 * apply whenever the Rancher release changes (RancherReadiness): its checksum is kept as first recorded (ignore_changes),
 * so an upgrade neither shows the record unknown nor moves `since`. Rancher keeps that CA while Secret tls-rancher
 * exists; should it ever be made anew, replace `ca` (terraform apply -replace).
 */
function recordedCa(scope: Construct, source: AgentCaSource): TerraformData {
  // agentCaChecksum() in cdktf's functions, to carry the reference.
  const checksum = (pem: string) => Fn.nonsensitive(Fn.sha256(Fn.format('%s\n', [Fn.trimspace(pem)])));
  const value =
    source.kind === 'rancher' || source.kind === 'private' ? `${RECORDED_CA[source.kind]}${checksum(source.certificate)}` : RECORDED_CA[source.kind];
  return new TerraformData(scope, 'ca', {
    input: value,
    triggersReplace: source.kind,
    lifecycle: source.kind === 'rancher' ? { ignoreChanges: ['input'] } : undefined,
  });
}

/**
 * What moves the record's time with the CA, known at plan: the kind alone for Rancher's own CA (read at apply whenever
 * the Rancher release changes; made once and kept), the value otherwise.
 */
function caIdentity(source: AgentCaSource): string {
  return source.kind === 'private'
    ? `${RECORDED_CA.private}${Fn.nonsensitive(Fn.sha256(Fn.format('%s\n', [Fn.trimspace(source.certificate)])))}`
    : source.kind === 'rancher'
      ? 'rancher-ca'
      : RECORDED_CA[source.kind];
}

/**
 * The postconditions of the CA record's listing (`self.keys`, CA_RECORD_FOLDER of the bucket at `where`): none there
 * is a bucket written before the CA was recorded, which passes; one must name the CA this deployment's choice gives
 * its agents. Let's Encrypt staging recorded passes whatever the choice: no agent can have trusted it.
 */
function agentCaChecks(
  agentCa: NonNullable<RestorePreflightProps['agentCa']>,
  where: string,
): { readonly condition: string; readonly errorMessage: string }[] {
  const { choice, tlsSetting, caVariable } = agentCa;
  const recorded = `try(regex("^${CA_RECORD_FOLDER}ca=([^/]+)$", self.keys[0])[0], "")`;
  const one = 'length(self.keys) != 1';
  const staging = `${recorded} == "${RECORDED_CA.staging}"`;
  const mine = choice.kind === 'private' ? `"${RECORDED_CA.private}\${${agentCaChecksum(choice.certificate)}}"` : undefined;
  const sameKind = {
    rancher: `startswith(${recorded}, "${RECORDED_CA.rancher}")`,
    private: `startswith(${recorded}, "${RECORDED_CA.private}")`,
    public: `${recorded} == "${RECORDED_CA.public}"`,
    staging: `${recorded} == "${RECORDED_CA.staging}"`,
  }[choice.kind];
  const gives = {
    rancher: "Rancher's own CA (the backup's tls-rancher, restored before Rancher starts)",
    private: `your private CA (${caVariable}, checksum \${${mine}})`,
    public: 'a public CA (no CA published: agents use their system store)',
    staging: "Let's Encrypt staging, which no agent trusts",
  }[choice.kind];
  const sameChoice =
    `Give this deployment the TLS choice of the deployment the backup comes from (its rancher.tls, and with a private CA the same ` +
    `TF_VAR_tls_ca_certificate_pem, with issuer ca its TF_VAR_tls_ca_private_key_pem too; docs/standby.md), or set ` +
    'backups.restoreFrom.newHostname: true and register every downstream cluster again (docs/day-2.md, "Rancher\'s name and CA").';
  return [
    {
      condition: '${length(self.keys) <= 1}',
      errorMessage:
        `backups.restoreFrom.bucket: ${where} holds \${length(self.keys)} records of the CA agents trust (${CA_RECORD_FOLDER}); ` +
        'an apply of the deployment that wrote its backups keeps one. Apply that deployment, or remove the ones it did not write.',
    },
    {
      condition: `\${${one} || ${staging} || ${sameKind}}`,
      errorMessage:
        `${tlsSetting}: the downstream agents of the backup's deployment trust \${${recorded}} (${CA_RECORD_FOLDER} of ${where}) and, ` +
        `under the same hostname, this deployment would serve them ${gives}: they would refuse it and stay disconnected. ${sameChoice}`,
    },
    ...(mine
      ? [
          {
            condition: `\${${one} || !startswith(${recorded}, "${RECORDED_CA.private}") || ${recorded} == ${mine}}`,
            errorMessage:
              `${caVariable}: the private CA of the backup's deployment has checksum \${trimprefix(${recorded}, "${RECORDED_CA.private}")} ` +
              `(its agents' CATTLE_CA_CHECKSUM, ${CA_RECORD_FOLDER} of ${where}), this one \${trimprefix(${mine}, "${RECORDED_CA.private}")}: ` +
              'under the same hostname every downstream agent would refuse it. Give the same CA certificate as that deployment ' +
              '(TF_VAR_tls_ca_certificate_pem, and with issuer ca TF_VAR_tls_ca_private_key_pem), or set backups.restoreFrom.newHostname: true ' +
              'and register every downstream cluster again (docs/day-2.md, "Rancher\'s name and CA").',
          },
        ]
      : []),
  ];
}

/** Keys of the backup folder the preflight's message reads at most (ten ListObjectsV2 pages). */
export const LISTED_KEYS = 10000;

export interface RestorePreflightProps {
  /** `backups.restoreFrom`. */
  readonly restoreFrom: { readonly file: string; readonly newHostname: boolean; readonly unrecordedSource: boolean };
  /** The bucket the backup is read from (a literal, or this deployment's bucket: a reference). */
  readonly bucket: string;
  /** `versions.rancher` of this deployment. */
  readonly rancherVersion: string;
  /** This deployment's hostname when the plan knows it (a literal or a variable); undefined for a wildcard name. */
  readonly hostname?: string;
  /** The Terraform expression of the EncryptionConfiguration the restore is given (`var.<name>`); encrypted files only. */
  readonly encryptionConfig?: string;
  /** SSM path of this deployment's own parameters: the marker of a finished restore goes under `<path>/restore/`. */
  readonly parameterPath: string;
  /**
   * The CA this deployment's agents are to trust, compared with the source's CA record when the hostname is (the
   * same name: the downstream agents come back only if they still trust what it serves). `tlsSetting` and
   * `caVariable` name the setting and the Terraform variable in the messages. @default not compared
   */
  readonly agentCa?: { readonly choice: AgentCaChoice; readonly tlsSetting: string; readonly caVariable: string };
}

/**
 * The checks of a migration's backup, at plan time and before anything is created (docs/backups.md,
 * "Preflight"): data sources read during the plan whose postconditions fail it, one message per problem. Read with
 * the credentials Terraform runs with, in this deployment's account and region. Once the restore has completed, a
 * marker parameter says so and the checks are no longer made: the source bucket may be gone by then.
 */
export class RestorePreflight extends Construct {
  /** The checks, for the restore to wait on (when the plan could not read them: a bucket this apply creates). */
  readonly checks: ITerraformDependable[] = [];
  private readonly markerPath: string;

  constructor(scope: Construct, id: string, props: RestorePreflightProps) {
    super(scope, id);
    const { file } = props.restoreFrom;
    this.markerPath = `${props.parameterPath}/restore`;
    const done = new DataAwsSsmParametersByPath(this, 'done', { path: this.markerPath, withDecryption: false });
    const count = `\${length(${done.fqn}.names) == 0 ? 1 : 0}`;
    const where = `s3://${props.bucket}/`;

    // For the message only: the folder's first LISTED_KEYS keys in name order (the provider pages through
    // ListObjectsV2 with continuation tokens and stops at max_keys), which the message names when it is full.
    const listing = new DataAwsS3Objects(this, 'listing', { bucket: props.bucket, prefix: `${BACKUP_FOLDER}/`, maxKeys: LISTED_KEYS });
    listing.addOverride('count', count);
    const listed = `${listing.fqn}[0].keys`;
    // The check lists the file's own key: it holds however many objects the folder has.
    const backups = new DataAwsS3Objects(this, 'backups', {
      bucket: props.bucket,
      prefix: `${BACKUP_FOLDER}/${file}`,
      lifecycle: {
        postcondition: [
          {
            condition: `\${contains(self.keys, "${BACKUP_FOLDER}/${file}")}`,
            errorMessage:
              `backups.restoreFrom.file: ${file} is not in ${where}${BACKUP_FOLDER}/ (\${${newestBackupPhrase(listed)}}` +
              `\${length(${listed}) < ${LISTED_KEYS} ? "" : ", of the first ${LISTED_KEYS} keys there in name order: the listing stops at them"}). ` +
              'Name a file listed there in backups.restoreFrom.file, or in backups.restoreFrom.bucket the bucket that holds it.',
          },
        ],
      },
    });
    backups.addOverride('count', count);
    this.checks.push(backups);
    if (props.restoreFrom.unrecordedSource) return;

    const one = 'length(self.keys) != 1';
    const field = (f: RecordField) => recordField('self.keys', f);
    const fileTime = backupFileTime(file);
    const postcondition = [
      {
        condition: '${length(self.keys) == 1}',
        errorMessage:
          `backups.restoreFrom.bucket: ${where} holds \${length(self.keys) == 0 ? "no record" : "${'$'}{length(self.keys)} records"} of the deployment ` +
          `that wrote its backups (${RECORD_FOLDER}, written by each apply of a deployment of this project). Apply that deployment with this ` +
          'version and take a fresh backup; for a backup taken elsewhere (the docker route), set backups.restoreFrom.unrecordedSource: true and ' +
          'check its Rancher version, hostname and encryption yourself.',
      },
      {
        condition: `\${${one} || ${field('rancher')} == ${valueExpression(props.rancherVersion)}}`,
        errorMessage:
          `versions.rancher: the backup comes from Rancher \${${field('rancher')}} and this deployment installs ${literal(props.rancherVersion)}; ` +
          'Rancher restores a migration into the same version only. Set versions.rancher to the source version for the restore (upgrade afterwards), ' +
          'or upgrade the source deployment and take a fresh backup.',
      },
      ...(props.hostname !== undefined && !props.restoreFrom.newHostname
        ? [
            {
              condition: `\${${one} || ${field('hostname')} == ${valueExpression(props.hostname)}}`,
              errorMessage:
                `hostname: the backup's deployment answers at \${${field('hostname')}} and this one at ${literal(props.hostname)}. Use the same ` +
                'hostname, or set backups.restoreFrom.newHostname: true and afterwards change Rancher\'s server-url (docs/backups.md, "A new hostname").',
            },
          ]
        : []),
      ...(props.encryptionConfig !== undefined
        ? [
            {
              condition: `\${${one} || ${field('encryption')} == ${encryptionDigest(props.encryptionConfig)}}`,
              errorMessage:
                `${props.encryptionConfig.replace(/^var\./, '')}: not the EncryptionConfiguration the deployment of ${where} encrypts its backups with. ` +
                `Give it that deployment's rancher_backup_encryption_config output (terraform output -raw rancher_backup_encryption_config, there).`,
            },
          ]
        : []),
      ...(fileTime
        ? [
            {
              condition: `\${${one} || try(timecmp("${fileTime}", ${field('since')}) >= 0, false)}`,
              errorMessage:
                `backups.restoreFrom.file: ${file} was written at ${fileTime}, before \${${field('since')}}, when the deployment of ${where} last ` +
                'changed its Rancher version, hostname, encryption key or CA: what the file was written with is not known. Take a fresh backup there ' +
                '(docs/backups.md, "Migrate to a new deployment") and name it in backups.restoreFrom.file.',
            },
          ]
        : []),
    ];
    const record = new DataAwsS3Objects(this, 'record', { bucket: props.bucket, prefix: RECORD_FOLDER, lifecycle: { postcondition } });
    record.addOverride('count', count);
    this.checks.push(record);

    if (props.agentCa && props.hostname !== undefined && !props.restoreFrom.newHostname) {
      const caRecord = new DataAwsS3Objects(this, 'ca-record', {
        bucket: props.bucket,
        prefix: CA_RECORD_FOLDER,
        lifecycle: { postcondition: agentCaChecks(props.agentCa, where) },
      });
      caRecord.addOverride('count', count);
      this.checks.push(caRecord);
    }
  }

  /** The marker of a finished restore (after `restored`): later plans skip the checks. */
  markDone(file: string, restored: ITerraformDependable[]): SsmParameter {
    return new SsmParameter(this, 'marker', {
      name: `${this.markerPath}/done`,
      type: 'String',
      value: literal(file),
      description: 'A migration\'s restore completed: the plan no longer checks its backup (docs/backups.md, "Preflight")',
      dependsOn: restored,
    });
  }
}
