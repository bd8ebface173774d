import { gzipSync } from 'node:zlib';
import { Instance } from '@cdktn/provider-aws/lib/instance';
import { S3Object } from '@cdktn/provider-aws/lib/s3-object';
import { Fn, Op, TerraformLocal, Token, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { TerraformData } from '../common/terraform-data';
import { literal } from '../common/terraform-template';
import { type Metric, type MetricOptions, metricWith } from '../common/metric';
import { bootLoaderUserData } from './private/boot-loader';
import { oneTokenText } from './private/one-token-text';

/** EC2's limit on user data, before base64. */
export const USER_DATA_LIMIT_BYTES = 16_384;
/** What a Terraform reference in the user data is assumed to render to, at most (an ARN, a DNS name). */
const REFERENCE_BYTES = 256;

/**
 * Attributes a running server keeps when the settings change them: each
 * would replace the instance (or, for user data and the instance type, stop
 * and start it), and every server would take the change in the same apply.
 * They reach a server when it is replaced on its own (`terraform apply
 * -replace`), one per apply; `ServerNode.staleAttributes` shows which are
 * pending.
 */
export const HELD_ATTRIBUTES = ['ami', 'user_data', 'instance_type', 'key_name', 'subnet_id', 'private_ip'] as const;
/** An attribute a running server keeps (see `ServerNode.staleAttributes`). @useDeclaredType */
export type HeldAttribute = (typeof HELD_ATTRIBUTES)[number];

/**
 * The instance arguments behind the held attributes: the user data travels
 * gzip-compressed as `user_data_base64` (cloud-init inflates it), and plain
 * `user_data` is held too, so instances created before it was compressed keep
 * theirs instead of being restarted to swap one for the other. Whether the
 * server has a public address goes with its subnet (public or private), so it
 * is held with `subnet_id`; instances created before it was set explicitly
 * have it from their subnet, which the provider stores as the same value.
 */
const IGNORED_ARGUMENTS = [
  'ami',
  'user_data',
  'user_data_base64',
  'instance_type',
  'key_name',
  'subnet_id',
  'private_ip',
  'associate_public_ip_address',
];

/** A server's image, size, place, role and user data. */
export interface ServerNodeProps {
  /** The instance's Name tag (`<deployment>-server-<n>`). */
  readonly name: string;
  /** The image it launches (a recorded id: `ServerImage.id`). */
  readonly amiId: string;
  /** The EC2 instance type. */
  readonly instanceType: string;
  /** The subnet it runs in. */
  readonly subnetId: string;
  /** Fixed private address, so peers can find each other without a lookup. */
  readonly privateIp: string;
  /** The security groups of its network interface. */
  readonly securityGroupIds: string[];
  /** The instance profile of its role (`NodeRole.instanceProfile`). */
  readonly instanceProfileName: string;
  /**
   * The cloud-init user data, as text; the construct compresses it, and refuses it at synth above
   * `USER_DATA_LIMIT_BYTES` gzipped. With `bootStore`, the server's boot document instead: the user data is then the
   * loader that fetches it.
   */
  readonly userData: string;
  /**
   * Where the boot document goes instead of the user data (EC2's 16 KiB): the construct writes `userData` there as
   * an object (`boot-document`) and gives the instance a small fixed loader that fetches it with the instance role,
   * checks its SHA-256 and applies it (boot-loader.sh). @default none: `userData` is the user data
   */
  readonly bootStore?: BootStore;
  /**
   * Give the instance a public IPv4 address at launch: a node in a public
   * subnet reaches the internet only so. Set explicitly because the subnets do
   * not assign one on their own (FSBP EC2.15). @default false
   */
  readonly publicAddress?: boolean;
  /**
   * IPv6 addresses of the instance (dual-stack: 1, from its subnet's /64). Set only at launch: the AWS provider
   * replaces an instance whose count changes, which is why a running deployment refuses `rkeHa.dualStack` changes.
   * @default none
   */
  readonly ipv6AddressCount?: number;
  /** Root volume size in GiB. */
  readonly rootVolumeGb: number;
  /** EC2 key pair for SSH; none by default (use SSM Session Manager). */
  readonly keyName?: string;
  /** Tags of the instance beside its `Name`. @default none */
  readonly tags?: Readonly<Record<string, string>>;
  /** What must exist before the first boot (parameters, IAM policies the bootstrap uses). */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Text of the user data that an in-place upgrade brings up to date on the
   * running server (the Kubernetes version, and with it the release files'
   * addresses and sums): a change of it alone does not list `user_data` as
   * pending once the server was created or upgraded with it. @default none:
   * every user data change is pending
   */
  readonly upgradedInPlace?: string | readonly string[];
  /**
   * Parts of the user data a running server does not need to take (Terraform regular expressions, RE2, each
   * match blanked before the comparison): the peer addresses a joined server no longer reads, say. A change of
   * them alone does not list `user_data` as pending once the server was created with this rule. @default none
   */
  readonly notTaken?: readonly string[];
}

/** A bucket the boot documents are written to (`BootBucket`), and this server's object in it. */
export interface BootStore {
  /** The bucket's name. */
  readonly bucket: string;
  /** Its regional domain name (the loader's host: S3's name in the bucket's partition, and the gateway endpoint's). */
  readonly regionalDomainName: string;
  /** Its region (the request's signature). */
  readonly region: string;
  /** The KMS key the object is encrypted with (SSE-KMS). */
  readonly kmsKeyArn: string;
  /** The object's key; letters, digits and `/._-` (the loader signs the path as it is). */
  readonly key: string;
  /** HTTPS_PROXY / NO_PROXY of the servers, for the loader's request. @default none */
  readonly proxyEnvironment?: readonly (readonly [string, string])[];
  /**
   * What the object is written after: the bucket's policy (BootBucket `guards`), which says who may write it and
   * under which key, so that an apply by a new deploying identity lets it in before it writes. @default nothing
   */
  readonly writeAfter?: readonly ITerraformDependable[];
}

/**
 * One EC2 server: IMDSv2 only with a hop limit of 1 (pods cannot borrow the
 * node's credentials), encrypted gp3 root volume, no SSH key unless asked.
 *
 * Image, user data, instance type, SSH key, subnet and address are read
 * once, at creation (`HELD_ATTRIBUTES`): a new AMI, a template edit, a
 * resize, a new key or a move to other subnets never replaces or restarts the
 * etcd members all at once. Roll servers one at a time with `terraform apply
 * -replace` (docs/day-2.md, "Day 2").
 */
export class ServerNode extends Construct {
  /** The EC2 instance. */
  readonly instance: Instance;
  /** The user data's gzip size at most (`compressedUpperBound`): the loader's with `bootStore`. Above `USER_DATA_LIMIT_BYTES` the construct's validation refuses it. */
  readonly userDataUpperBound: number;
  private readonly props: ServerNodeProps;
  /** The user data as sent to EC2 (gzip, base64), once: the instance and `staleAttributes` both refer to it. */
  private readonly userDataBase64: string;
  /**
   * With `upgradedInPlace` or `notTaken`: the user data's hash without that text, now and as the running server has
   * it; `legacy`, the hash a record written before `notTaken` existed holds (only the upgradable text blanked).
   */
  private readonly upgradable?: { readonly wanted: string; readonly running: string; readonly legacy?: string };

  constructor(scope: Construct, id: string, props: ServerNodeProps) {
    super(scope, id);
    this.props = props;
    // The plain text as a local of its own: readable in the synthesized module, compressed or hashed where it is used.
    // One token: cdktf's own split of 60 KB of shell at its braces costs milliseconds a resolve (one-token-text.ts).
    const document = new TerraformLocal(this, 'user-data', oneTokenText(props.userData)).asString;
    let userData = document;
    let userDataText = props.userData;
    let bootDocument: S3Object | undefined;
    if (props.bootStore) {
      const store = props.bootStore;
      if (!/^[A-Za-z0-9/._-]+$/.test(store.key)) throw new Error(`boot document key ${store.key}: letters, digits and /._- only`);
      bootDocument = new S3Object(this, 'boot-document', {
        bucket: store.bucket,
        key: store.key,
        content: document,
        contentType: 'text/cloud-config',
        serverSideEncryption: 'aws:kms',
        kmsKeyId: store.kmsKeyArn,
        bucketKeyEnabled: true,
        dependsOn: store.writeAfter?.length ? [...store.writeAfter] : undefined,
      });
      userDataText = bootLoaderUserData({
        url: `https://${store.regionalDomainName}/${store.key}`,
        region: store.region,
        sha256: Fn.sha256(document),
        proxyEnvironment: store.proxyEnvironment,
      });
      userData = new TerraformLocal(this, 'loader', userDataText).asString;
    }
    this.userDataBase64 = Fn.base64gzip(userData);
    const compressed = compressedUpperBound(userDataText);
    this.userDataUpperBound = compressed;
    this.node.addValidation({
      validate: () =>
        compressed > USER_DATA_LIMIT_BYTES
          ? [
              `the user data of ${props.name} is about ${compressed} bytes gzip-compressed; EC2 accepts ${USER_DATA_LIMIT_BYTES}. ${
                props.bootStore ? 'Give a shorter proxy address.' : 'Shorten the lists that go into it (registry mirrors, noProxy).'
              }`,
            ]
          : [],
    });
    this.instance = new Instance(this, 'instance', {
      ami: props.amiId,
      instanceType: props.instanceType,
      subnetId: props.subnetId,
      privateIp: props.privateIp,
      associatePublicIpAddress: props.publicAddress ?? false,
      ...(props.ipv6AddressCount !== undefined ? { ipv6AddressCount: props.ipv6AddressCount } : {}),
      vpcSecurityGroupIds: props.securityGroupIds,
      iamInstanceProfile: props.instanceProfileName,
      keyName: props.keyName === undefined ? undefined : literal(props.keyName),
      userDataBase64: this.userDataBase64,
      userDataReplaceOnChange: false,
      monitoring: false,
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: 1,
        instanceMetadataTags: 'disabled',
      },
      rootBlockDevice: {
        volumeType: 'gp3',
        volumeSize: props.rootVolumeGb,
        encrypted: true,
        deleteOnTermination: true,
      },
      tags: { Name: props.name, ...props.tags },
      volumeTags: { Name: props.name },
      lifecycle: { ignoreChanges: IGNORED_ARGUMENTS },
      // The document is in place before the loader asks for it.
      dependsOn: bootDocument ? [...(props.dependsOn ?? []), bootDocument] : props.dependsOn,
    });
    if (props.upgradedInPlace !== undefined || props.notTaken?.length) {
      // The user data of the running server cannot be read back (gzip): its hash without the upgradable text is
      // recorded when the server is created (or, for a server older than the record, when it is first seen:
      // "held" unless its user data is the current one), and compared with the current one. The hash is of the boot
      // document, the user data itself before the loader: a record written then still matches it.
      const texts: readonly string[] =
        props.upgradedInPlace === undefined ? [] : typeof props.upgradedInPlace === 'string' ? [props.upgradedInPlace] : props.upgradedInPlace;
      const upgraded = texts.reduce((text, upgrade) => Fn.replace(text, literal(upgrade), ''), document);
      // A pattern is written between slashes: Terraform's replace() then reads it as a regular expression.
      const notTaken = (props.notTaken ?? []).reduce((text, pattern) => Fn.replace(text, `/${pattern}/`, ''), upgraded);
      const wanted = Fn.sha256(notTaken);
      const record = new TerraformData(this, 'user-data-record', {
        input: Fn.conditional(Token.asString(Op.eq(this.instance.userDataBase64, this.userDataBase64)), wanted, 'held'),
        triggersReplace: [this.instance.id],
        lifecycle: { ignoreChanges: ['input'] },
      });
      // A record written before the rule holds the hash with those parts in: it still matches while they are unchanged.
      this.upgradable = { wanted, running: record.output, ...(props.notTaken?.length ? { legacy: Fn.sha256(upgraded) } : {}) };
    }
  }

  /** The instance's id. */
  get id(): string {
    return this.instance.id;
  }

  /**
   * A record of `value` as this server runs it, for plan-time rules about the running servers: written when the
   * server is created or replaced, and kept (ignore_changes) until it is replaced again. A record first written for a
   * running server whose user data is not the current one holds "held": what that server runs is not known. Read it
   * as `plannedInput`, known in every plan (`output` is unknown in the plan that creates it).
   */
  runningRecord(id: string, value: string): TerraformData {
    return new TerraformData(this, id, {
      input: Fn.conditional(Token.asString(Op.eq(this.instance.userDataBase64, this.userDataBase64)), value, 'held'),
      triggersReplace: [this.instance.id],
      lifecycle: { ignoreChanges: ['input'] },
    });
  }

  /** EC2's status checks of this instance (system and instance): 1 in a minute either failed, else 0. */
  metricStatusCheckFailed(options: MetricOptions = {}): Metric {
    return metricWith(
      { namespace: 'AWS/EC2', metricName: 'StatusCheckFailed', dimensions: { InstanceId: this.id }, statistic: 'Maximum', period: 60 },
      options,
    );
  }

  /** The instance's CPU use in percent, averaged over 5 minutes (basic monitoring: one data point per 5 minutes). */
  metricCpuUtilization(options: MetricOptions = {}): Metric {
    return metricWith(
      { namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: { InstanceId: this.id }, statistic: 'Average', period: 300 },
      options,
    );
  }

  /**
   * The held attributes whose running value differs from what the settings
   * ask for now (a Terraform list expression): what a replacement of this
   * server would change. Empty when the server is up to date.
   */
  staleAttributes(attributes: readonly HeldAttribute[] = HELD_ATTRIBUTES): string[] {
    const wanted: Record<HeldAttribute, string> = {
      ami: this.props.amiId,
      user_data: this.userDataBase64,
      instance_type: this.props.instanceType,
      // No key is "" in the instance's state.
      key_name: literal(this.props.keyName ?? ''),
      subnet_id: this.props.subnetId,
      private_ip: this.props.privateIp,
    };
    const running: Record<HeldAttribute, string> = {
      ami: this.instance.ami,
      user_data: this.instance.userDataBase64,
      instance_type: this.instance.instanceType,
      key_name: this.instance.keyName,
      subnet_id: this.instance.subnetId,
      private_ip: this.instance.privateIp,
    };
    // Each operand as a string: cdktf 0.21 resolves an expression object given as an argument twice, so every
    // level of nesting doubled the synth work (this list was ~8 ms per resolve, several per synth).
    const neq = (left: string, right: string) => Token.asString(Op.neq(left, right));
    const differs = (a: HeldAttribute) =>
      // The wanted value on the left: cdktf 0.21's Op drops an empty right operand (no key is "").
      a === 'user_data' && this.upgradable
        ? Token.asString(Op.and(neq(wanted[a], running[a]), this.recordDiffers(this.upgradable)))
        : neq(wanted[a], running[a]);
    // The list written as text around its conditionals, as Fn.compact writes it: cdktf 0.21 resolves a list given to
    // a function three times (the list, the list again, then each item), and this list was the costliest value of
    // the stack to resolve (bench/README.md, 2026-11-26).
    const items = attributes.map((a) => Token.asString(Fn.conditional(differs(a), a, '')));
    return Token.asList(`\${compact([${items.join(', ')}])}`);
  }

  /** The recorded hash is neither the current one nor, for a record older than `notTaken`, its legacy form. */
  private recordDiffers(upgradable: { readonly wanted: string; readonly running: string; readonly legacy?: string }): string {
    const current = Token.asString(Op.neq(upgradable.wanted, upgradable.running));
    return upgradable.legacy === undefined ? current : Token.asString(Op.and(current, Token.asString(Op.neq(upgradable.legacy, upgradable.running))));
  }
}

/**
 * The gzip size of user data at synth time, with every Terraform reference
 * counted at its largest plausible rendering: an upper bound of what EC2 gets.
 */
export function compressedUpperBound(userData: string): number {
  // `$${` is an escaped, literal `${`: not a reference.
  const rendered = userData.replace(/(?<!\$)\$\{[^}]*\}/g, 'x'.repeat(REFERENCE_BYTES));
  // Terraform's base64gzip compresses at Go's default level (6); so does this (~4x faster than level 9, and 19 to
  // 63 bytes more than level 9 on the user data of every synthesized variant: a slightly safer estimate).
  return gzipSync(Buffer.from(rendered, 'utf8'), { level: 6 }).length;
}
