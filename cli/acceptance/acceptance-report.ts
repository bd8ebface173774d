import { describeSeen, type SeenArtifacts } from './acceptance-observed';
import type { FailoverFigures } from './acceptance-failover';
import type { MetricArrival } from './acceptance-metrics';
import { AVAILABILITY_BUDGET, type PhaseAvailability } from './acceptance-probes';
import type { TimedPhase } from '../shared/throwaway';

/**
 * The phases of an acceptance run, in order. `deploy` and `teardown` always run (nothing exists before the one and
 * everything must go in the other); the others can be chosen with --only and --skip.
 */
export const ACCEPTANCE_PHASES = [
  'deploy',
  'ping',
  'login',
  'second-plan',
  'downstream',
  'upgrade',
  'roll',
  'rotate',
  'backup',
  'metrics',
  'drill',
  'failover',
  'migrate',
  'break',
  'teardown',
  'sweep',
] as const;
export type AcceptancePhase = (typeof ACCEPTANCE_PHASES)[number];
/** The phases every run takes, whatever --only and --skip say. */
const ALWAYS_RUN: readonly AcceptancePhase[] = ['deploy', 'teardown', 'sweep'];
/** The phases --only and --skip choose from: the others, in the run's order. */
export const CHOSEN_PHASES: readonly AcceptancePhase[] = ACCEPTANCE_PHASES.filter((p) => !ALWAYS_RUN.includes(p));
/** Of CHOSEN_PHASES, those a run takes only when named (--with, or --only). */
export const OPTIONAL_PHASES: readonly AcceptancePhase[] = ['rotate'];
/** The phases a run takes only when --only names them (migrate needs a Route53 zone of yours and a second deployment). */
export const OPT_IN_PHASES: readonly AcceptancePhase[] = ['migrate'];
/** What each phase shows, for the plan printed before the run and the report (rke-ha's words; others: phaseMeaning). */
const PHASE_MEANING: Readonly<Record<AcceptancePhase, string>> = {
  deploy: 'synth and one terraform apply of a throwaway rke-ha deployment, timed step by step',
  ping: 'Rancher answers pong on https://<sslip.io name>/ping, trusted with its own CA',
  login: "Rancher's login API accepts admin with the rancher_admin_password output, and the token it returns reads admin's user",
  'second-plan': 'terraform plan -detailed-exitcode right after the apply: no change (exit 0)',
  downstream:
    "a single-node K3s on a small instance of the run, imported into Rancher through its API (a v3 cluster, its registration token, the agent manifest applied through SSM): Active with its agent connected now, and again after the upgrade, the roll and the drill (each reconnect's time in the report)",
  upgrade: `an in-place Kubernetes upgrade by the apply, one minor up; every node reports the new version`,
  roll: 'the roll command replaces every server in turn (drain, remove, replace, rejoin as an etcd voter), the downstream cluster back after each',
  rotate:
    'optional (--with rotate): the rotate command rotates the cluster token, then the secrets-encryption key, each server restarted one at a time; then the roll command replaces server-0, which joins with the new token',
  backup: "a one-time Rancher backup, written by the operator to the deployment's bucket",
  metrics:
    "each server's own metrics read back from CloudWatch (RestartHeld 0, CertificateDaysLeft over the alarm's 30, BackupCredentialsFailed 0 after a refresh): the services their timers run, started once through SSM, one server at a time",
  drill: 'the drill command restores that backup into a second throwaway deployment, checks it and tears it down',
  failover:
    "with standby.region in --settings (and --hosted-zone: the record the failover moves): the standby's pilot light prepared (the failover command's --prepare, as after each deploy), the primary's servers stopped, the failover command with credentials that deny the primary's region (--outage-role, or your own assumed role), the downstream cluster Active against the standby, RTO (budget 30 minutes) and RPO (budget: the backup interval) in the report; the servers started, the failback command, Rancher and the downstream cluster again",
  migrate:
    "docker only, when --only names it: a backup of the docker Rancher (Rancher Backups in its local cluster, rancher-resource-set-full, encrypted, to the run's bucket), the docker deployment retired, an rke-ha deployment (K3s) restoring it at the same hostname with the same CA, and the downstream cluster Active there under the same cluster id",
  break: 'Rancher scaled to zero: the teardown must not need a working Rancher',
  teardown: 'the teardown command (no typed confirmation), from that broken state',
  sweep:
    "nothing is still tagged with the run's id (the Resource Groups Tagging API), and no IAM role, user, instance profile or policy of its name carries the tag",
};

/** Where k8s-ha and docker differ from rke-ha's words. */
const STACK_MEANING: Readonly<Record<string, Partial<Record<AcceptancePhase, string>>>> = {
  'k8s-ha': {
    deploy:
      'synth and one terraform apply of a throwaway k8s-ha deployment onto the cluster you named (cert-manager, Rancher, rancher-backup, their AWS pieces), timed step by step',
    ping: "Rancher answers pong on https://<name>.<your zone>/ping (the run's own Route53 record), trusted with its own CA",
    break: "Rancher scaled to zero in the run's cattle-system: the teardown must not need a working Rancher",
    teardown:
      "terraform destroy of the run's module with your cluster reachable (the teardown command leaves a cluster's releases to it), from that broken state; the one-time Backup object first. Your cluster stays",
  },
  docker: {
    deploy: 'synth and one terraform apply of a throwaway docker deployment (one host, its data volume), timed step by step',
    ping: "Rancher answers pong on https://<sslip.io name>/ping, trusted with its own CA (read from /cacerts, as the stack's gate does)",
    break: 'the host stopped (EC2 StopInstances): the teardown must not need a running Rancher',
  },
};

/**
 * What a phase shows on a stack. With --hosted-zone, Rancher's name is the run's own record in that zone, not an
 * sslip.io name (rke-ha's failover phase and docker's migrate take one).
 */
export const phaseMeaning = (stack: string, phase: AcceptancePhase, hostedZone = false): string => {
  const meaning = STACK_MEANING[stack]?.[phase] ?? PHASE_MEANING[phase];
  return hostedZone ? meaning.replace('<sslip.io name>', '<name>.<your zone>') : meaning;
};

/**
 * The phases that do not apply to a stack, and why: skipped whatever --only says, and said so in the plan and the
 * report. rke-ha has them all but the migration, which starts from docker.
 */
export const NOT_APPLICABLE: Readonly<Record<string, Partial<Record<AcceptancePhase, string>>>> = {
  'rke-ha': {
    migrate: 'the migration starts from a docker deployment: npm run acceptance -- docker --only downstream,migrate --hosted-zone <zone>',
  },
  'k8s-ha': {
    migrate: 'the migration starts from a docker deployment: npm run acceptance -- docker --only downstream,migrate --hosted-zone <zone>',
    upgrade: 'the cluster is yours: an acceptance run never changes its Kubernetes version',
    roll: 'the cluster is yours: no server of it belongs to the run, so none is replaced',
    rotate: "the cluster is yours: its token and keys are not the run's to rotate",
    downstream:
      "importing a cluster makes Rancher write objects into your cluster at run time (the cluster's namespace, its cluster-scoped resources) that uninstalling the chart leaves and the run's teardown must not guess at; the rke-ha and docker runs import one",
    drill:
      'the drill builds its throwaway from an rke-ha deployment only, and the run has no second cluster to restore into (docs/backups.md, "Migrate to a new deployment", does it by hand)',
    metrics: "the cluster is yours: no server of it belongs to the run, and nothing of it sends the servers' metrics",
    failover: 'a failover stands rke-ha up in its standby region; k8s-ha keeps no standby (docs/standby.md)',
  },
  docker: {
    upgrade:
      "Kubernetes there is the K3s inside the rancher/rancher container, whose version is Rancher's: there is no Kubernetes version to upgrade",
    roll: 'one host: replacing it is an outage, not a roll (the stack replaces it when its user data changes: docs/docker.md)',
    rotate: 'the K3s inside the rancher/rancher container has no join token or encryption key of the stack',
    backup: "Rancher's backups are not installed on the Docker host: its data volume's EBS snapshots are its backups",
    drill: 'the drill restores Rancher backups, which the Docker host does not take',
    failover: 'a failover stands rke-ha up in its standby region; docker keeps no standby (docs/standby.md)',
    metrics:
      "the Docker host sends its own K3s certificate metrics (lib/docker/k3s-cert-renewal.sh), which this phase does not read yet: it reads the rke-ha servers' RestartHeld, CertificateDaysLeft and BackupCredentialsFailed",
  },
};

/** Why an rke-ha run without a standby skips the failover phase (its settings decide it, not the stack). */
export const NO_STANDBY =
  'the deployment has no standby (standby.region is not set in --settings): there is nothing to fail over to; give a settings file with standby.region and --hosted-zone';

/**
 * The modeled timeline of a first apply (docs/design-notes.md, "Deploy timeline": the step names are its first
 * column, __tests__/cli/acceptance/acceptance-report.test.ts holds them equal), and the resources whose apply events make up
 * each step in a real apply (`terraform apply -json`: apply_start and apply_complete per resource address).
 */
export const TIMELINE: readonly { readonly step: string; readonly addresses: RegExp }[] = [
  {
    step: 'network',
    addresses:
      /^(aws_vpc|aws_subnet|aws_route|aws_route_table|aws_route_table_association|aws_internet_gateway|aws_nat_gateway|aws_eip|aws_default_security_group|aws_security_group|aws_vpc_security_group_(ingress|egress)_rule|aws_kms_key|aws_kms_alias|aws_ssm_parameter|aws_iam_[a-z_]+)\.(?!cluster-initialized)/,
  },
  { step: 'load-balancer', addresses: /^aws_lb(_listener|_target_group|_target_group_attachment)?\./ },
  // docker: its one host is the first server.
  { step: 'first-server', addresses: /^(aws_instance\.([^.]*server-0_|server_instance_)|data\.http\.[^.]*api-readiness)/ },
  { step: 'joins', addresses: /^(aws_instance\.[^.]*server-[1-9]|helm_release\.[^.]*servers-ready)/ },
  { step: 'ingress-ready', addresses: /^helm_release\.[^.]*ingress-ready/ },
  { step: 'cert-manager', addresses: /^helm_release\.[^.]*cert-manager_release/ },
  { step: 'rancher', addresses: /^helm_release\.(rancher_release|[^.]*_rancher_release)/ },
  { step: 'certificate-ready', addresses: /^helm_release\.[^.]*certificate-ready/ },
  { step: 'ping', addresses: /^data\.http\.[^.]*rancher-readiness_(ping|cacerts)/ },
  { step: 'first-login', addresses: /^rancher2_bootstrap\./ },
];

/** One step of the measured timeline: from its first resource's start to its last one's end, in seconds since the apply began. */
export interface TimelineStep {
  readonly step: string;
  readonly startSeconds?: number;
  readonly endSeconds?: number;
  readonly seconds?: number;
  readonly resources: number;
}

/** The timeline of a `terraform apply -json` output (its event lines; others ignored). */
export function timelineOf(applyJson: string): TimelineStep[] {
  const events: { at: number; type: string; address: string }[] = [];
  for (const line of applyJson.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const e = JSON.parse(line) as { type?: string; '@timestamp'?: string; hook?: { resource?: { addr?: string } } };
      const address = e.hook?.resource?.addr;
      const at = Date.parse(e['@timestamp'] ?? '');
      if ((e.type === 'apply_start' || e.type === 'apply_complete') && address && Number.isFinite(at)) events.push({ at, type: e.type, address });
    } catch {
      // not an event
    }
  }
  const begin = Math.min(...events.map((e) => e.at));
  return TIMELINE.map(({ step, addresses }) => {
    const mine = events.filter((e) => addresses.test(e.address));
    const starts = mine.filter((e) => e.type === 'apply_start').map((e) => e.at);
    const ends = mine.filter((e) => e.type === 'apply_complete').map((e) => e.at);
    const resources = new Set(mine.map((e) => e.address)).size;
    if (starts.length === 0 || ends.length === 0) return { step, resources };
    const startSeconds = Math.round((Math.min(...starts) - begin) / 1000);
    const endSeconds = Math.round((Math.max(...ends) - begin) / 1000);
    return { step, startSeconds, endSeconds, seconds: endSeconds - startSeconds, resources };
  });
}

/** A statement of an IAM policy document, the parts compared here. */
interface Statement {
  readonly Effect: string;
  readonly Action?: string | readonly string[];
}

/** IAM action patterns (`ec2:Describe*`) as a test: case-insensitive, `*` and `?` as IAM reads them. */
const matcher = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );

/** Whether an IAM action pattern of a policy covers an action. */
export const iamMatches = (pattern: string, action: string): boolean => matcher(pattern).test(action);

/**
 * Granted actions the event history cannot show used, each with why: they are "not measurable", never "unused".
 * - `iam:PassRole` is a permission checked when a role is handed to a service (an instance profile, a launch), not an
 *   API operation: no event of its own (IAM User Guide, "Granting a user permissions to pass a role to an AWS service").
 * - Tag-on-create: a create call that carries tags is also authorized by the service's tagging action (EC2 User Guide,
 *   "Grant permission to tag Amazon EC2 resources during creation"; the same for ELB, IAM, KMS, Logs, SNS, SSM), and
 *   only the create call is logged.
 * - S3 object operations (and ListObjects) are data events, which CloudTrail's event history does not hold
 *   (CloudTrail User Guide, "Working with CloudTrail event history": management events only).
 */
export const NOT_MEASURABLE: Readonly<Record<string, string>> = {
  'iam:PassRole': 'a permission checked when a role is passed, not an API call',
  'ec2:CreateTags': 'tag-on-create (RunInstances, CreateVpc, ... carry their tags)',
  'elasticloadbalancing:AddTags': 'tag-on-create (CreateLoadBalancer, CreateTargetGroup)',
  'iam:TagRole': 'tag-on-create (CreateRole)',
  'iam:TagUser': 'tag-on-create (CreateUser)',
  'iam:TagInstanceProfile': 'tag-on-create (CreateInstanceProfile)',
  'kms:TagResource': 'tag-on-create (CreateKey)',
  'logs:TagResource': 'tag-on-create (CreateLogGroup)',
  'sns:TagResource': 'tag-on-create (CreateTopic)',
  'ssm:AddTagsToResource': 'tag-on-create (PutParameter)',
  's3:GetObject': 'an S3 data event',
  's3:PutObject': 'an S3 data event',
  's3:DeleteObject': 'an S3 data event',
  's3:DeleteObjectVersion': 'an S3 data event',
  's3:GetObjectTagging': 'an S3 data event',
  's3:ListBucket': 'an S3 data event (ListObjects)',
  's3:ListBucketVersions': 'an S3 data event (ListObjectVersions)',
};

/**
 * What the deployer used (CloudTrail, as IAM actions: `iamAction`) against what docs/deployer-policy.json grants (its
 * Allow statements' actions): used but not granted, granted but not used, and granted actions no event can show used.
 */
export function comparePolicy(
  used: readonly string[],
  policy: { readonly Statement: readonly Statement[] },
): { notGranted: string[]; unused: string[]; notMeasurable: string[] } {
  const granted = policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => (typeof s.Action === 'string' ? [s.Action] : (s.Action ?? [])));
  const patterns = granted.map((g) => ({ g, test: matcher(g) }));
  const notSeen = [...new Set(granted)].filter((g) => !used.some((a) => matcher(g).test(a)));
  const measurable = (g: string) => !Object.keys(NOT_MEASURABLE).some((n) => n.toLowerCase() === g.toLowerCase());
  return {
    notGranted: [...new Set(used)].filter((a) => !patterns.some((p) => p.test.test(a))).sort(),
    unused: notSeen.filter(measurable).sort(),
    notMeasurable: notSeen.filter((g) => !measurable(g)).sort(),
  };
}

/** A CloudTrail event source as the IAM service prefix (the host's first label but for a few services). */
const SERVICE_PREFIX: Readonly<Record<string, string>> = { monitoring: 'cloudwatch', tagging: 'tag', elasticloadbalancing: 'elasticloadbalancing' };
/**
 * CloudTrail event names (as `<prefix>:<eventName>`) that are not the IAM action authorizing them. From the Service
 * Authorization Reference ("Actions defined by Amazon S3": each action with the API operations it authorizes) and
 * each S3 API reference page's permissions (PutBucketEncryption: s3:PutEncryptionConfiguration; PutBucketLifecycle and
 * PutBucketLifecycleConfiguration, logged as PutBucketLifecycle: s3:PutLifecycleConfiguration; PutBucketReplication:
 * s3:PutReplicationConfiguration; the Delete* of a bucket subresource needs its Put* action; HeadBucket: s3:ListBucket;
 * ListBuckets: s3:ListAllMyBuckets). Without it the policy's wildcards (`s3:PutBucket*`) matched names that are no IAM
 * action, and hid a missing grant.
 */
export const EVENT_ACTIONS: Readonly<Record<string, string>> = {
  's3:PutBucketEncryption': 's3:PutEncryptionConfiguration',
  's3:GetBucketEncryption': 's3:GetEncryptionConfiguration',
  's3:DeleteBucketEncryption': 's3:PutEncryptionConfiguration',
  's3:PutBucketLifecycle': 's3:PutLifecycleConfiguration',
  's3:PutBucketLifecycleConfiguration': 's3:PutLifecycleConfiguration',
  's3:GetBucketLifecycle': 's3:GetLifecycleConfiguration',
  's3:GetBucketLifecycleConfiguration': 's3:GetLifecycleConfiguration',
  's3:DeleteBucketLifecycle': 's3:PutLifecycleConfiguration',
  's3:PutBucketReplication': 's3:PutReplicationConfiguration',
  's3:GetBucketReplication': 's3:GetReplicationConfiguration',
  's3:DeleteBucketReplication': 's3:PutReplicationConfiguration',
  's3:GetBucketAccelerateConfiguration': 's3:GetAccelerateConfiguration',
  's3:PutBucketAccelerateConfiguration': 's3:PutAccelerateConfiguration',
  's3:GetBucketCors': 's3:GetBucketCORS',
  's3:PutBucketCors': 's3:PutBucketCORS',
  's3:DeleteBucketCors': 's3:PutBucketCORS',
  's3:GetObjectLockConfiguration': 's3:GetBucketObjectLockConfiguration',
  's3:PutObjectLockConfiguration': 's3:PutBucketObjectLockConfiguration',
  's3:DeleteBucketPublicAccessBlock': 's3:PutBucketPublicAccessBlock',
  's3:DeleteBucketOwnershipControls': 's3:PutBucketOwnershipControls',
  's3:DeleteBucketTagging': 's3:PutBucketTagging',
  's3:GetBucketAnalyticsConfiguration': 's3:GetAnalyticsConfiguration',
  's3:GetBucketIntelligentTieringConfiguration': 's3:GetIntelligentTieringConfiguration',
  's3:GetBucketInventoryConfiguration': 's3:GetInventoryConfiguration',
  's3:GetBucketMetricsConfiguration': 's3:GetMetricsConfiguration',
  's3:HeadBucket': 's3:ListBucket',
  's3:ListBuckets': 's3:ListAllMyBuckets',
};
/** The IAM action that authorizes a CloudTrail event (its source's prefix and its name, or EVENT_ACTIONS' entry). */
export function iamAction(eventSource: string, eventName: string): string {
  const host = eventSource.split('.')[0];
  const named = `${SERVICE_PREFIX[host] ?? host}:${eventName}`;
  return EVENT_ACTIONS[named] ?? named;
}

/**
 * The regions whose event history holds the run's events: its own, and us-east-1, where CloudTrail records the
 * global services' events (IAM, STS's global endpoint, Route53, CloudFront: CloudTrail User Guide, "Global service
 * events"). Event history is regional: read from the run's region alone, every IAM call looked unused.
 */
export function eventRegions(region: string): string[] {
  return [...new Set([region, 'us-east-1'])];
}

/** Something still tagged with the run's id after the teardown, and how to remove it. */
export interface Leftover {
  readonly arn: string;
  /** pending: going by itself (a KMS key scheduled for deletion, an instance terminated): nothing to do. */
  readonly state: 'left' | 'pending';
  readonly remove: string;
}

/** How to remove a leftover, by its ARN's service and type. */
export function removalOf(arn: string, region: string): string {
  const [, , service, , , resource = ''] = arn.split(':');
  const [type, id = ''] = resource.includes('/')
    ? [resource.slice(0, resource.indexOf('/')), resource.slice(resource.indexOf('/') + 1)]
    : [resource, ''];
  const r = `--region ${region}`;
  if (service === 's3') return `aws s3 rb s3://${resource} --force ${r} (a versioned bucket: delete its versions first, as the teardown does)`;
  if (service === 'kms') return `aws kms schedule-key-deletion --key-id ${id} --pending-window-in-days 7 ${r}`;
  if (service === 'ec2' && type === 'instance') return `aws ec2 terminate-instances --instance-ids ${id} ${r}`;
  if (service === 'ec2') return `aws ec2 delete-${type.replace(/_/g, '-')} (the ${type} ${id}) ${r}, or in the VPC console; a VPC goes last`;
  if (service === 'elasticloadbalancing')
    return `aws elbv2 delete-${type === 'loadbalancer' ? 'load-balancer --load-balancer-arn' : 'target-group --target-group-arn'} ${arn} ${r}`;
  if (service === 'ssm') return `aws ssm delete-parameter --name /${id} ${r}`;
  if (service === 'iam') {
    // IAM is global (no --region) and deletes nothing that is still attached: what holds on to each type goes first.
    const name = id.split('/').pop() ?? id;
    if (type === 'role')
      return `aws iam list-instance-profiles-for-role / list-role-policies / list-attached-role-policies --role-name ${name}: remove it from each profile, delete each inline policy, detach each managed one; then aws iam delete-role --role-name ${name}`;
    if (type === 'instance-profile')
      return `aws iam remove-role-from-instance-profile --instance-profile-name ${name} --role-name <its role>, then aws iam delete-instance-profile --instance-profile-name ${name}`;
    if (type === 'user')
      return `aws iam list-access-keys / list-user-policies --user-name ${name}: delete each key and inline policy; then aws iam delete-user --user-name ${name}`;
    if (type === 'policy')
      return `aws iam list-policy-versions --policy-arn ${arn}: delete each version but the default; then aws iam delete-policy --policy-arn ${arn}`;
  }
  if (service === 'logs') return `aws logs delete-log-group --log-group-name ${resource.replace(/^log-group:/, '').replace(/:\*$/, '')} ${r}`;
  return `delete it in the AWS console (${service}), or with the AWS CLI's delete call for its type`;
}

/** A table cell's text: no pipe or line break breaks the Markdown table. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** What `acceptance` writes to `<run folder>/report.json` (and as Markdown beside it). */
export interface AcceptanceReport {
  readonly version: 1;
  readonly stack: string;
  readonly runId: string;
  readonly name: string;
  readonly region: string;
  readonly startedAt: string;
  finishedAt?: string;
  readonly versions: Record<string, string | undefined>;
  readonly phases: TimedPhase<AcceptancePhase>[];
  /** What each phase read, in words (keyed by phase). */
  readonly evidence: Partial<Record<AcceptancePhase, string[]>>;
  timeline?: TimelineStep[];
  /** The second plan's changes (`<actions> <address>`), when it was not empty. */
  secondPlanChanges?: string[];
  /** The downstream cluster: each look after a phase (cli/acceptance/acceptance-downstream.ts DownstreamCheck). */
  downstream?: { readonly after: string; readonly seconds?: number; readonly first: string; readonly up: boolean; readonly last?: string }[];
  /** The servers' metrics read back from CloudWatch (cli/acceptance/acceptance-metrics.ts MetricArrival). */
  metrics?: MetricArrival[];
  /** Rancher's /ping and the API probed through each phase that restarts servers (cli/acceptance/acceptance-probes.ts). */
  availability?: PhaseAvailability[];
  /** The failover phase's RTO and RPO, each against its budget (cli/acceptance/acceptance-failover.ts). */
  failover?: FailoverFigures;
  leftovers?: Leftover[];
  /** The images the lookups found and the release sums the servers checked (docs/settings.md, "Unconfirmed here"). */
  seen?: SeenArtifacts | { readonly unavailable: string };
  awsActions?:
    | {
        readonly source: string;
        readonly used: string[];
        readonly notGranted: string[];
        readonly unused: string[];
        /** Granted, and no event could show them used (NOT_MEASURABLE). Reports older than issue 49 lack it. */
        readonly notMeasurable?: string[];
      }
    | { readonly source: string; readonly unavailable: string };
  passed?: boolean;
  readonly notProven: readonly string[];
}

/** What an acceptance run cannot show, said in every report (notProven adds each stack's own). */
const NOT_PROVEN: readonly string[] = [
  "A domain of the user's: the run answers on an sslip.io name with Rancher's own CA, so the Route53 record, a user certificate, Let's Encrypt and TLS at the load balancer are not exercised.",
  "Settings other than the run's: one shape of the stack (the defaults, or --settings); for rke-ha, K3s, private nodes, an existing network and an external datastore are not covered.",
  "Downstream clusters beyond one imported single-node K3s: clusters Rancher provisions (node drivers, custom RKE2/K3s) or hosts (EKS), and many agents at once, are not shown; the downstream cluster is looked at after each phase, so a disconnect inside a phase shows only as the time it took to come back after it. The drill's throwaway is not looked at: the agent dials the production hostname, never the throwaway's.",
  'Day N: the run lasts hours; certificate renewal, token expiry and what the cluster writes back over weeks are not waited for.',
  'The AWS actions are those CloudTrail records as management events (data events such as S3 object reads are not in its event history), and events can take up to about 15 minutes to appear there: the last minutes of the run may be missing.',
];

/**
 * What a run of `stack` cannot show: the phases that do not apply to it, and what is particular to it. `migrating`:
 * a docker run with the migrate phase (a zone of the user's, the run's own CA).
 */
export function notProven(stack: string, migrating = false): string[] {
  const common = NOT_PROVEN.map((line, i) =>
    i === 0 && stack === 'k8s-ha'
      ? "A domain of the user's beyond one record: the run's record is `<name>.<zone>` in the zone you named, with Rancher's own CA, so a user certificate, Let's Encrypt and TLS at a load balancer are not exercised."
      : i === 0 && migrating
        ? "A domain of the user's beyond one record: the docker and rke-ha deployments answer at `<name>.<zone>` in the zone you named with a certificate of the run's throwaway CA (issuer ca), so Let's Encrypt, a certificate of yours and TLS at a load balancer are not exercised."
        : line,
  );
  const migration = migrating
    ? [
        "The migration's DNS change as a person makes it: the record goes with the docker deployment and comes back with the rke-ha one; resolvers that cached the old address for the record's TTL show only as the time the agent took to come back.",
      ]
    : [];
  const own =
    stack === 'k8s-ha'
      ? [
          'Your cluster itself: its nodes, its ingress controller and its load balancer are yours; the run installs onto them and checks the record reaches Rancher, nothing more.',
          "Rancher's cluster-scoped leftovers: uninstalling Rancher's chart leaves the objects Rancher made at run time (its CRDs, webhooks, namespaces such as cattle-global-data and fleet-*); the run only removes what its module created and lists those namespaces, and Rancher's rancher-cleanup job clears the rest (docs/k8s-ha.md).",
        ]
      : stack === 'rke-ha'
        ? [
            "The servers' alarms firing: the metrics phase sees each metric arrive with its healthy value, never a 1 (no restart is held and no refresh is made to fail: the run puts the refresh script's failure marker, so its recovery's 0 is what arrives), nor a notification (the topic has no subscription).",
          ]
        : [];
  const skipped = Object.entries(NOT_APPLICABLE[stack] ?? {}).map(([phase, why]) => `The ${phase} phase: ${why}.`);
  return [...common, ...own, ...migration, ...skipped];
}

const pad = (text: string, width: number) => text.padEnd(width);

/** The report as lines for the terminal. */
export function describeReport(report: AcceptanceReport, files: { json: string; markdown: string }): string[] {
  const lines = [`Acceptance run ${report.runId} of ${report.stack} (${report.name}, ${report.region}):`];
  for (const p of report.phases)
    lines.push(
      `  ${pad(p.status, 11)} ${pad(p.phase, 11)} ${p.seconds === undefined ? '' : pad(`${p.seconds} s`, 9)}${p.detail ? ` ${p.detail}` : ''}`.trimEnd(),
    );
  for (const l of report.leftovers ?? []) lines.push(`  LEFT: ${l.arn}${l.state === 'pending' ? ' (going by itself)' : `: ${l.remove}`}`);
  // After the leftovers: tellReport finds each of them by its place after the phases.
  if (report.failover) lines.push(`  ${describeFailover(report.failover)}`);
  lines.push(`Result: ${report.passed ? 'PASSED' : 'FAILED'}. Report: ${files.markdown} (JSON: ${files.json})`);
  return lines;
}

/** The failover phase's figures in one line: RTO and RPO, each with its budget, and any breach. */
export function describeFailover(f: FailoverFigures): string {
  const rto = f.rtoSeconds === undefined ? 'RTO not reported' : `RTO ${f.rtoSeconds} s (budget ${f.rtoBudgetSeconds} s)`;
  const rpo =
    f.rpoMinutes === undefined ? 'RPO not reported' : `RPO ${f.rpoMinutes} min (budget ${f.rpoBudgetMinutes} min${f.backup ? `, ${f.backup}` : ''})`;
  return `FAILOVER to ${f.standbyRegion}: ${rto}, ${rpo}${f.breaches.length > 0 ? `; FAILED: ${f.breaches.join('; ')}` : ''}`;
}

/** The failover phase's figures as Markdown: each against its budget, and every breach named. */
function failoverSection(f: FailoverFigures): string[] {
  const held = (value: number | undefined, budget: number) => (value === undefined ? 'not reported' : value <= budget ? 'within' : 'OVER');
  return [
    `## Failover to ${f.standbyRegion}`,
    '',
    "RTO: from the failover command's start to Rancher answering pong on the hostname from the standby. RPO: the age of the backup it restored, the data lost.",
    '',
    '| figure | measured | budget | held |',
    '|---|---|---|---|',
    `| RTO | ${f.rtoSeconds === undefined ? '' : `${f.rtoSeconds} s`} | ${f.rtoBudgetSeconds} s | ${held(f.rtoSeconds, f.rtoBudgetSeconds)} |`,
    `| RPO | ${f.rpoMinutes === undefined ? '' : `${f.rpoMinutes} min`} | ${f.rpoBudgetMinutes} min (backups.schedule \`${cell(f.schedule)}\`) | ${held(f.rpoMinutes, f.rpoBudgetMinutes)} |`,
    `| failback RTO | ${f.failbackRtoSeconds === undefined ? 'not reached' : `${f.failbackRtoSeconds} s`} | | |`,
    `| failback RPO | ${f.failbackRpoMinutes === undefined ? 'not reached' : `${f.failbackRpoMinutes} min`} | | |`,
    ...(f.backup || f.failbackBackup ? [''] : []),
    ...(f.backup ? [`Restored by the failover: \`${f.backup}\``] : []),
    ...(f.failbackBackup ? [`Restored by the failback: \`${f.failbackBackup}\``] : []),
    ...(f.breaches.length > 0 ? ['', ...f.breaches.map((b) => `- FAILED: ${cell(b)}`)] : []),
  ];
}

/** The report as Markdown, to attach to an issue. */
export function markdownReport(report: AcceptanceReport): string {
  const out: string[] = [];
  out.push(`# Acceptance run ${report.runId}: ${report.passed ? 'PASSED' : 'FAILED'}`, '');
  out.push(`${report.stack} deployment \`${report.name}\` in ${report.region}, ${report.startedAt} to ${report.finishedAt ?? '(unfinished)'}.`, '');
  out.push('## Versions', '', '| what | version |', '|---|---|');
  for (const [what, version] of Object.entries(report.versions)) out.push(`| ${what} | ${version ?? '(unknown)'} |`);
  out.push('', '## Phases', '', '| phase | result | seconds | detail |', '|---|---|---|---|');
  for (const p of report.phases)
    out.push(`| ${p.phase} | ${p.status} | ${p.seconds ?? ''} | ${(p.detail ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`);
  const evidence = Object.entries(report.evidence).filter(([, e]) => e && e.length > 0);
  if (evidence.length > 0) {
    out.push('', '## Evidence', '');
    for (const [phase, lines] of evidence) {
      out.push(`- **${phase}**`);
      for (const l of lines ?? []) out.push(`  - ${l}`);
    }
  }
  if (report.timeline) {
    out.push(
      '',
      '## Deploy timeline',
      '',
      'The steps of docs/design-notes.md, "Deploy timeline", as this apply took them (seconds since it began).',
      '',
    );
    out.push('| step | start | end | seconds | resources |', '|---|---|---|---|---|');
    for (const t of report.timeline)
      out.push(`| ${t.step} | ${t.startSeconds ?? ''} | ${t.endSeconds ?? ''} | ${t.seconds ?? ''} | ${t.resources} |`);
  }
  if (report.seen) {
    out.push('', '## Images and sums seen', '');
    if ('unavailable' in report.seen) out.push(`Not read: ${report.seen.unavailable}`);
    else {
      out.push(
        'What docs/settings.md marks unconfirmed is settled by these lines: the image each lookup found, and each release file the servers refused to install unless its SHA-256 matched (a deploy that reached Rancher matched).',
        '',
      );
      for (const line of describeSeen(report.seen)) out.push(`- ${line}`);
    }
  }
  if (report.secondPlanChanges) {
    out.push('', '## Second plan', '');
    if (report.secondPlanChanges.length === 0) out.push('No changes.');
    for (const c of report.secondPlanChanges) out.push(`- \`${c}\``);
  }
  if (report.downstream && report.downstream.length > 0) {
    out.push('', '## Downstream cluster', '', '| after | Active and connected | first look |', '|---|---|---|');
    for (const d of report.downstream)
      out.push(`| ${d.after} | ${d.up ? `${d.seconds} s after the phase` : `no (last look: ${cell(d.last ?? '')})`} | ${cell(d.first)} |`);
  }
  if (report.availability && report.availability.length > 0) {
    out.push(
      '',
      '## Rancher answering through the restarts',
      '',
      `Rancher's /ping through the load balancer (with its CA) and the API's /readyz, probed every ${AVAILABILITY_BUDGET.intervalMs / 1000} s while the phase ran; budget: ${AVAILABILITY_BUDGET.answeredRatio * 100}% answered, no gap over ${AVAILABILITY_BUDGET.longestGapMs / 1000} s, no ${AVAILABILITY_BUDGET.windowMs / 1000} s with more than one probe unanswered and under ${AVAILABILITY_BUDGET.windowRatio * 100}% answered (each phase's worst in its evidence).`,
      '',
      '| phase | began | seconds | /ping answered | longest /ping gap | API answered | longest API gap | longest unprobed |',
      '|---|---|---|---|---|---|---|---|',
    );
    const gap = (ms: number, at?: string) => (at ? `${Math.round(ms / 1000)} s from ${at}` : 'none');
    for (const a of report.availability)
      out.push(
        `| ${a.phase} | ${a.startedAt} | ${a.seconds} | ${a.ping.answered} of ${a.ping.probes} | ${gap(a.ping.longestGapMs, a.ping.gapBeganAt)} | ${a.api.answered} of ${a.api.probes} | ${gap(a.api.longestGapMs, a.api.gapBeganAt)} | ${gap(a.longestUnprobedMs, a.unprobedBeganAt)} |`,
      );
  }
  if (report.failover) out.push('', ...failoverSection(report.failover));
  if (report.metrics && report.metrics.length > 0) {
    out.push(
      '',
      "## Servers' metrics",
      '',
      "Each server's services started once through SSM (the timers' own services), then its metrics read back from CloudWatch.",
      '',
      '| metric | server | value | expected | datapoint at | seen after the phase began | the server logged |',
      '|---|---|---|---|---|---|---|',
    );
    for (const m of report.metrics)
      out.push(
        `| ${m.metric} | ${m.server} (${m.instanceId}) | ${m.arrived ? `${m.value}${m.ok ? '' : ' (wrong)'}` : 'never arrived'} | ${cell(m.expected)} | ${m.at ?? ''} | ${m.seconds === undefined ? '' : `${m.seconds} s`} | ${cell(m.sent ?? '')} |`,
      );
    for (const m of report.metrics.filter((x) => x.why)) out.push('', `- ${cell(m.why!)}`);
  }
  if (report.leftovers) {
    out.push('', '## Left in the account', '');
    if (report.leftovers.length === 0)
      out.push(`Nothing is tagged \`rancher-ha-aws:acceptance-run=${report.runId}\` any more, in the region or in IAM.`);
    for (const l of report.leftovers) out.push(`- ${l.arn}: ${l.state === 'pending' ? 'going by itself' : `\`${l.remove}\``}`);
  }
  if (report.awsActions) {
    out.push('', '## AWS actions against docs/deployer-policy.json', '');
    if ('unavailable' in report.awsActions) out.push(`Not compared: ${report.awsActions.unavailable}`);
    else {
      const a = report.awsActions;
      out.push(`From ${a.source}: ${a.used.length} actions used.`, '');
      out.push(`- Used but not granted (${a.notGranted.length}): ${a.notGranted.map((x) => `\`${x}\``).join(', ') || 'none'}`);
      out.push(
        `- Granted but not used in this run (${a.unused.length}; the policy covers every variant, so many are expected): ${a.unused.map((x) => `\`${x}\``).join(', ') || 'none'}`,
      );
      if (a.notMeasurable)
        out.push(
          `- Granted, not measurable from the event history (${a.notMeasurable.length}; no event of their own): ${a.notMeasurable.map((x) => `\`${x}\` (${NOT_MEASURABLE[x] ?? 'no event'})`).join(', ') || 'none'}`,
        );
      out.push('', `<details><summary>Actions used</summary>`, '', a.used.map((x) => `\`${x}\``).join(', '), '', '</details>');
    }
  }
  out.push('', '## What this run does not prove', '');
  for (const n of report.notProven) out.push(`- ${n}`);
  return `${out.join('\n')}\n`;
}
