import { STANDBY_FACTS_FORMAT, STANDBY_FACTS_KEY, STANDBY_FACTS_PARAMETER } from '../../lib/standby/standby-facts-keys';
import type { Aws } from './aws';
import { isAwsError } from './aws/errors';
import type { ProductionDeployment } from './production';
import type { StateResource } from './terraform';

// What a failover (and `drill --standby`) knows of production, read in the standby region alone: the facts production's
// own apply writes there (lib/standby/standby-facts.ts; the contract: docs/development/standby-facts.md). Never
// production's Terraform state, whose backend and key are in the region a failover is for. Three data-plane reads of
// the standby region: the parameter, the facts document, the EncryptionConfiguration (decrypted by S3 through KMS there).

/** Who reads, as the refusals say it: the codes' prefix and the command to run again. */
export interface FactsReader {
  readonly prefix: 'FAILOVER' | 'DRILL';
  /** `npm run failover`, `drill --standby`. */
  readonly lead: string;
}

/** What production's facts give, in the shape the commands read production by, and what only the facts hold. */
export interface StandbyFacts {
  /** Production as the drill and the failover read it (`dir`: the module folder named, never read). */
  readonly production: ProductionDeployment & { readonly url: string };
  /** Where they were read: the parameter, and the facts' object it names. */
  readonly parameter: string;
  readonly location: string;
  readonly kind: 'rke-ha' | 'k8s-ha';
  readonly hostname: string;
  readonly hostedZone: string | undefined;
  /** Production's aws_route53_record objects of the hostname, as its state holds them (recordSetOfState reads them). */
  readonly records: readonly StateResource[];
  /** rke-ha: the records' alias target. */
  readonly loadBalancer: { readonly dnsName: string; readonly zoneId: string } | undefined;
  /** k8s-ha: the ingress target and the record it needs. */
  readonly ingress: { readonly target: string; readonly recordType: string } | undefined;
  /** The backup record: its key and fields. */
  readonly backupRecord: { readonly key: string; readonly fields: Readonly<Record<string, unknown>> } | undefined;
  /** The record of the CA downstream agents trust: its key and value. */
  readonly caRecord: { readonly key: string; readonly ca: string } | undefined;
}

/** Why the facts cannot be used: the message (with its fix), its code, exit 2 (refused, nothing changed). */
export interface FactsRefused {
  readonly refused: string;
  readonly why: string;
  readonly code: 2;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** The parameter's name: the settings give it (`name`, the stack), the standby region holds it. */
export const standbyFactsParameter = (name: string, stack: string): string => `/${name}/${stack}${STANDBY_FACTS_PARAMETER}`;

/**
 * Production's facts, from the standby region (`aws.region`) alone: the parameter `/<name>/<stack>/standby-facts`, the
 * document it names (format STANDBY_FACTS_FORMAT, its name, kind and standby region the settings'), and the backups'
 * EncryptionConfiguration (SSE-KMS: S3 decrypts it for a caller the copies' key lets; held in memory, never printed).
 * A refusal when one is missing or unreadable to the caller, or the document is not what this version reads.
 */
export async function readStandbyFacts(
  aws: Aws,
  want: { readonly name: string; readonly stack: string; readonly productionDir: string },
  reader: FactsReader,
): Promise<StandbyFacts | FactsRefused> {
  const region = aws.region;
  const parameter = standbyFactsParameter(want.name, want.stack);
  const fix = `Apply production (npm run cdktf -- deploy ${want.stack}) with this version and standby.region ${region}: its apply writes them there, and its plan's check standby_facts says when the copy lacks them (docs/failover.md)`;
  const refused = (why: string, what: string, fixIt = fix): FactsRefused => ({
    why: `${reader.prefix}_${why}`,
    refused: `${reader.lead}: ${what}. ${fixIt}.`,
    code: 2,
  });
  const { side, clients } = await aws.sdk();
  // A missing parameter or object, or one the caller may not read (its KMS key's policy included): production's facts
  // are not there for this caller. Any other error (the region unreachable, throttling) is a failure, thrown.
  const absent = (error: unknown) => isAwsError(error, 'ParameterNotFound', 'AccessDeniedException', 'AccessDenied', 'NoSuchKey', 'NoSuchBucket');
  const noFacts = (what: string, error: unknown) =>
    refused(
      'NO_STANDBY_FACTS',
      `${what} in ${region} (${(error as Error).name}): production's facts, read there instead of production's state (in the region a failover is for)`,
    );

  let location: string;
  try {
    location = await side.readParameter(clients, parameter);
  } catch (error) {
    if (absent(error)) return noFacts(`no readable SSM parameter ${parameter}`, error);
    throw error;
  }
  const where = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
  if (!where || where[2] !== STANDBY_FACTS_KEY)
    return refused('STANDBY_FACTS_INVALID', `the SSM parameter ${parameter} in ${region} holds ${location}, not s3://<copy>/${STANDBY_FACTS_KEY}`);
  const [, copy, key] = where;

  let text: string;
  try {
    text = await side.readObjectText(clients, copy, key);
  } catch (error) {
    if (absent(error)) return noFacts(`no readable ${location}`, error);
    throw error;
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return refused('STANDBY_FACTS_INVALID', `${location} is not JSON`);
  }
  if (!isObject(document) || document.format !== STANDBY_FACTS_FORMAT)
    return refused(
      'STANDBY_FACTS_FORMAT',
      `${location} is in format ${isObject(document) ? JSON.stringify(document.format) : '(none)'}, and this version reads format ${STANDBY_FACTS_FORMAT}`,
      `Use the version of rancher-ha-aws that applied production, or apply production with this one`,
    );
  const facts = factsOf(document);
  if (typeof facts === 'string') return refused('STANDBY_FACTS_INVALID', `${location}: ${facts}`);
  const theirs = [
    facts.name !== want.name && `name ${facts.name}, the settings ${want.name}`,
    facts.kind !== want.stack && `kind ${facts.kind}, the stack ${want.stack}`,
    facts.standbyRegion !== region && `standbyRegion ${facts.standbyRegion}, the settings' standby.region ${region}`,
    facts.copy !== copy && `the copy ${facts.copy}, the parameter's ${copy}`,
  ].filter(isText);
  if (theirs.length > 0)
    return refused(
      'STANDBY_FACTS_NOT_PRODUCTIONS',
      `${location} is not this settings file's production (${theirs.join('; ')})`,
      "Set RANCHER_CONFIG to production's settings file",
    );

  let encryptionConfig: string | undefined;
  if (facts.encryptionKey !== undefined) {
    try {
      encryptionConfig = await side.readObjectText(clients, copy, facts.encryptionKey);
    } catch (error) {
      if (!absent(error)) throw error;
      return refused(
        'NO_STANDBY_FACTS',
        `s3://${copy}/${facts.encryptionKey}, the backups' EncryptionConfiguration, cannot be read in ${region} (${(error as Error).name}): the copies' key lets the identities that deploy production decrypt it (the one that applied it last, and deployer_arns), through S3 there`,
        `Run as one of them, or add yours to deployer_arns and apply production while its region answers (docs/failover.md)`,
      );
    }
  }
  return {
    production: {
      dir: want.productionDir,
      name: facts.name,
      region: facts.region,
      url: facts.url,
      backupBucket: facts.bucket,
      backupCopy: { bucket: copy, keyArn: facts.kmsKeyArn, region },
      etcdSnapshotBucket: undefined,
      backupEncryptionConfig: encryptionConfig,
      joinToken: undefined,
      distribution: facts.distribution,
      ...(facts.ingress ? { ingressTarget: facts.ingress.target } : {}),
      loadBalancer: facts.loadBalancer?.dnsName ?? facts.ingress?.target,
      serverAddresses: [],
    },
    parameter,
    location,
    kind: facts.kind,
    hostname: facts.hostname,
    hostedZone: facts.hostedZone,
    records: facts.records.map((attributes, i) => ({
      address: `${location}#dns.records[${i}]`,
      mode: 'managed' as const,
      type: 'aws_route53_record',
      name: `record-${i}`,
      attributes,
    })),
    loadBalancer: facts.loadBalancer,
    ingress: facts.ingress,
    backupRecord: facts.backupRecord,
    caRecord: facts.caRecord,
  };
}

/** The fields a reader uses, checked (docs/development/standby-facts.md, "The facts document"); a problem's words otherwise. */
function factsOf(d: Record<string, unknown>) {
  const dns = isObject(d.dns) ? d.dns : undefined;
  const backups = isObject(d.backups) ? d.backups : undefined;
  const encryption = backups?.encryption;
  const lb = d.loadBalancer;
  const ingress = d.ingress;
  const record = d.backupRecord;
  const ca = d.caRecord;
  const wrong = [
    !isText(d.name) && 'name',
    d.kind !== 'rke-ha' && d.kind !== 'k8s-ha' && 'kind',
    d.distribution !== null && !isText(d.distribution) && 'distribution',
    !isText(d.region) && 'region',
    !isText(d.standbyRegion) && 'standbyRegion',
    !isText(d.hostname) && 'hostname',
    !(isText(d.url) && /^https?:\/\/[^/]+$/.test(d.url)) && 'url',
    dns?.hostedZone !== null && !isText(dns?.hostedZone) && 'dns.hostedZone',
    !(Array.isArray(dns?.records) && dns.records.every(isObject)) && 'dns.records',
    lb !== null && !(isObject(lb) && isText(lb.dnsName) && isText(lb.zoneId)) && 'loadBalancer',
    ingress !== null && !(isObject(ingress) && isText(ingress.target) && isText(ingress.recordType)) && 'ingress',
    !isText(backups?.bucket) && 'backups.bucket',
    !isText(backups?.copy) && 'backups.copy',
    encryption !== null && !(isObject(encryption) && isText(encryption.key) && isText(encryption.kmsKeyArn)) && 'backups.encryption',
    record !== null && !(isObject(record) && isText(record.key) && isObject(record.fields)) && 'backupRecord',
    ca !== null && !(isObject(ca) && isText(ca.key) && isText(ca.ca)) && 'caRecord',
  ].filter(isText);
  if (wrong.length > 0) return `${wrong.join(', ')} missing or not of the contract's type`;
  const text = (v: unknown) => v as string;
  const enc = encryption as Record<string, unknown> | null;
  return {
    name: text(d.name),
    kind: d.kind as 'rke-ha' | 'k8s-ha',
    distribution: (d.distribution as string | null) ?? undefined,
    region: text(d.region),
    standbyRegion: text(d.standbyRegion),
    hostname: text(d.hostname),
    url: text(d.url),
    hostedZone: (dns!.hostedZone as string | null) ?? undefined,
    records: dns!.records as Record<string, unknown>[],
    loadBalancer: isObject(lb) ? { dnsName: text(lb.dnsName), zoneId: text(lb.zoneId) } : undefined,
    ingress: isObject(ingress) ? { target: text(ingress.target), recordType: text(ingress.recordType) } : undefined,
    bucket: text(backups!.bucket),
    copy: text(backups!.copy),
    encryptionKey: enc ? text(enc.key) : undefined,
    kmsKeyArn: enc ? text(enc.kmsKeyArn) : undefined,
    backupRecord: isObject(record) ? { key: text(record.key), fields: record.fields as Record<string, unknown> } : undefined,
    caRecord: isObject(ca) ? { key: text(ca.key), ca: text(ca.ca) } : undefined,
  };
}
