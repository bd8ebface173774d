import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordedRelease, releaseFileName, releaseFileUrl } from '../../lib/config/release-sums';
import { DEFAULT_VERSIONS } from '../../lib/config/versions';
import { AGENT_MESSAGE_ACTIONS, SESSION_MANAGER_ACTIONS } from '../../lib/nodes/ssm-agent-actions';
import { RUN_TAG } from './acceptance-settings';
import type { Aws } from '../shared/aws';
import { Interrupted, POLL_INTERVAL_MS, pollPause, waitUntil, yieldFor } from '../shared/poll';
import type { IoHost } from '../shared/io/io-host';
import { runAsync } from '../shared/process';
import { type RancherAnswer, rancherGet, rancherSend } from '../shared/rancher-api';
import { Terraform, terraformBinary } from '../shared/terraform';
import { StepFailed } from '../shared/throwaway';
import { readableError } from '../shared/tool-output';
import { initShown, terraformOutput } from './terraform-output';

// The acceptance run's downstream cluster: one small instance of the run's own (a throwaway Terraform module of its
// own, in <run folder>/downstream, tagged with the run's id) running single-node K3s, imported into the Rancher
// under test the way Rancher's "import existing cluster" does it (a v3 cluster, its registration token, the agent
// manifest applied on the instance), then required Active with its agent connected after each phase that replaces
// or restores Rancher's servers. docs/acceptance.md, "The downstream cluster"; docs/design-notes.md gives the
// upstream behaviour it rests on.

/** The folder of the run's downstream module, beside its deployment's. */
export const downstreamDir = (runDir: string) => join(runDir, 'downstream');

/**
 * The K3s the instance runs: the pinned K3s (lib/config/pins.ts), a Kubernetes minor the pinned Rancher accepts (the
 * settings hold DEFAULT_VERSIONS inside RANCHER_KUBERNETES_RANGE), with its binary's sum recorded (release-sums.ts).
 */
export const DOWNSTREAM_K3S = DEFAULT_VERSIONS.k3s;
/** The instance type: K3s and Rancher's cluster agent fit in its 4 GiB (t3.small's 2 GiB is the K3s minimum alone). */
export const DOWNSTREAM_INSTANCE_TYPE = 't3.medium';
/** t3.medium on demand (≈ $0.042 an hour in us-east-1) and its 20 GB gp3 volume, rounded up. */
export const DOWNSTREAM_DOLLARS_PER_HOUR = 0.05;
/** What the downstream phase creates, for the dry run. */
export const DOWNSTREAM_PLAN = `a VPC of its own with one public subnet, an internet gateway and a security group with no ingress, one ${DOWNSTREAM_INSTANCE_TYPE} running single-node K3s ${DOWNSTREAM_K3S} with an IAM role and instance profile for SSM, and in Rancher the imported cluster (its v3 cluster and registration token)`;

/** The budgets of the waits, in minutes (each a bounded poll). */
export const DOWNSTREAM_MINUTES = { k3s: 15, token: 5, agent: 5, active: 10 } as const;

/**
 * The SSM actions the instance's role needs to take commands (SSM's agent registering and polling for them), inline:
 * the deployer policy may attach no AWS managed policy but the two it names. The servers' own list.
 */
export const DOWNSTREAM_SSM_ACTIONS = [...SESSION_MANAGER_ACTIONS, ...AGENT_MESSAGE_ACTIONS] as const;

/**
 * The downstream instance's user data: K3s at the pinned version, installed as the servers install it (lib/kubernetes
 * k3s-bootstrap.sh): the installer and the binary each refused unless its SHA-256 is the one this project records,
 * then the installer run without downloading anything. Never `curl | sh` of an unpinned script.
 */
export function downstreamUserData(): string {
  const release = recordedRelease('k3s', DOWNSTREAM_K3S)!;
  const binary = release.artifacts.amd64!;
  const quote = (text: string) => `'${text}'`;
  return [
    '#!/bin/sh',
    'set -eu',
    'dir=$(mktemp -d)',
    '# fetch <url> <sha256> <file>: retried, and refused unless the file has the recorded SHA-256',
    'fetch() { curl -sfL --retry 5 --retry-all-errors -o "$3" "$1" && echo "$2  $3" | sha256sum -c --quiet -; }',
    `fetch ${quote(release.installer.url)} ${quote(release.installer.sha256)} "$dir/install.sh"`,
    `fetch ${quote(releaseFileUrl('k3s', DOWNSTREAM_K3S, releaseFileName('k3s', 'amd64')))} ${quote(binary.sha256)} "$dir/k3s"`,
    'install -m 0755 "$dir/k3s" /usr/local/bin/k3s',
    `INSTALL_K3S_VERSION=${quote(DOWNSTREAM_K3S)} INSTALL_K3S_SKIP_DOWNLOAD=true sh "$dir/install.sh" server --write-kubeconfig-mode 0600`,
    'rm -rf "$dir"',
    '',
  ].join('\n');
}

/**
 * The downstream module (Terraform JSON): everything tagged with the run's id by the provider's default_tags, named
 * under the run's prefix (`<name>-downstream`), a local state in its folder. Its own VPC keeps it apart from the
 * deployment (the teardown of one never waits on the other); the agent dials out to Rancher, so nothing comes in.
 */
export function downstreamModule(o: { readonly name: string; readonly runId: string; readonly region: string }): object {
  const id = `${o.name}-downstream`;
  const tags = { Name: id };
  const userData = downstreamUserData();
  return {
    terraform: {
      required_providers: { aws: { source: 'hashicorp/aws', version: '6.25.0' } },
      backend: { local: { path: 'terraform.downstream.tfstate' } },
    },
    provider: { aws: [{ region: o.region, default_tags: [{ tags: { [RUN_TAG]: o.runId, 'rancher-ha-aws:downstream': id } }] }] },
    data: {
      aws_ssm_parameter: {
        ubuntu: { name: '/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id' },
      },
      // A zone that offers the instance type (not every zone does: us-east-1e has no t3).
      aws_ec2_instance_type_offerings: {
        here: { location_type: 'availability-zone', filter: [{ name: 'instance-type', values: [DOWNSTREAM_INSTANCE_TYPE] }] },
      },
    },
    resource: {
      aws_vpc: { downstream: { cidr_block: '10.250.0.0/24', enable_dns_hostnames: true, tags } },
      aws_internet_gateway: { downstream: { vpc_id: '${aws_vpc.downstream.id}', tags } },
      aws_subnet: {
        downstream: {
          vpc_id: '${aws_vpc.downstream.id}',
          cidr_block: '10.250.0.0/24',
          availability_zone: '${sort(data.aws_ec2_instance_type_offerings.here.locations)[0]}',
          map_public_ip_on_launch: true,
          tags,
        },
      },
      aws_route_table: { downstream: { vpc_id: '${aws_vpc.downstream.id}', tags } },
      // A route of its own (an inline `route` block in JSON needs every one of its attributes set).
      aws_route: {
        downstream: {
          route_table_id: '${aws_route_table.downstream.id}',
          destination_cidr_block: '0.0.0.0/0',
          gateway_id: '${aws_internet_gateway.downstream.id}',
        },
      },
      aws_route_table_association: { downstream: { subnet_id: '${aws_subnet.downstream.id}', route_table_id: '${aws_route_table.downstream.id}' } },
      aws_security_group: {
        downstream: {
          name: id,
          description: 'The acceptance run downstream K3s: egress only (its agent dials out to Rancher)',
          vpc_id: '${aws_vpc.downstream.id}',
          egress: [
            {
              cidr_blocks: ['0.0.0.0/0'],
              from_port: 0,
              to_port: 0,
              protocol: '-1',
              description: 'Rancher, the K3s installer, images',
              ipv6_cidr_blocks: [],
              prefix_list_ids: [],
              security_groups: [],
              self: false,
            },
          ],
          tags,
        },
      },
      aws_iam_role: {
        downstream: {
          name: id,
          assume_role_policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          }),
        },
      },
      aws_iam_role_policy: {
        downstream: {
          name: 'ssm-commands',
          role: '${aws_iam_role.downstream.id}',
          policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: DOWNSTREAM_SSM_ACTIONS, Resource: '*' }] }),
        },
      },
      aws_iam_instance_profile: { downstream: { name: id, role: '${aws_iam_role.downstream.name}' } },
      aws_instance: {
        downstream: {
          ami: '${data.aws_ssm_parameter.ubuntu.insecure_value}',
          instance_type: DOWNSTREAM_INSTANCE_TYPE,
          subnet_id: '${aws_subnet.downstream.id}',
          vpc_security_group_ids: ['${aws_security_group.downstream.id}'],
          iam_instance_profile: '${aws_iam_instance_profile.downstream.name}',
          user_data: userData,
          metadata_options: { http_tokens: 'required', http_endpoint: 'enabled' },
          root_block_device: { volume_size: 20, volume_type: 'gp3', encrypted: true },
          tags,
        },
      },
    },
    output: { instance_id: { value: '${aws_instance.downstream.id}' } },
  };
}

/** Writes the downstream module into its folder (once: a later write would only say the same). */
export function writeDownstreamModule(dir: string, o: Parameters<typeof downstreamModule>[0]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'main.tf.json'), `${JSON.stringify(downstreamModule(o), null, 2)}\n`);
}

/** What a v3 cluster says of itself: its state and its Connected and Ready conditions. */
export interface ClusterHealth {
  readonly state: string;
  readonly connected: boolean;
  readonly ready: boolean;
  /** The conditions that are not True, in words (`Connected False`, `Ready False (Disconnected: ...)`). */
  readonly why: string;
}

/**
 * A `/v3/clusters/<id>` answer read: `state` (`active` once Rancher's controllers have it Ready), the `Connected`
 * condition (Rancher's connectivity check: True only while the agent holds its tunnel and answers a ping through it)
 * and `Ready` (False, reason Disconnected, when the agent is gone). Up means all three.
 */
export function clusterHealth(body: string): ClusterHealth {
  let cluster: { state?: unknown; conditions?: { type?: string; status?: string; reason?: string; message?: string }[] };
  try {
    cluster = JSON.parse(body) as typeof cluster;
  } catch {
    return { state: 'unknown', connected: false, ready: false, why: 'the answer was not JSON' };
  }
  const conditions = Array.isArray(cluster.conditions) ? cluster.conditions : [];
  const condition = (type: string) => conditions.find((c) => c.type === type);
  const isTrue = (type: string) => condition(type)?.status === 'True';
  const why = ['Connected', 'Ready']
    .map((type) => ({ type, c: condition(type) }))
    .filter(({ c }) => c?.status !== 'True')
    .map(({ type, c }) => {
      if (!c) return `${type} not reported yet`;
      const detail = [c.reason, c.message].filter(Boolean).join(': ');
      return `${type} ${c.status ?? 'Unknown'}${detail ? ` (${detail})` : ''}`;
    })
    .join('; ');
  return { state: typeof cluster.state === 'string' ? cluster.state : 'unknown', connected: isTrue('Connected'), ready: isTrue('Ready'), why };
}

/** Whether the cluster is what the run requires: Active with its agent connected. */
export const isUp = (h: ClusterHealth) => h.state === 'active' && h.connected && h.ready;

/** One look at the cluster, in words. */
export const describeHealth = (h: ClusterHealth) => `state ${h.state}${h.why ? `; ${h.why}` : '; Connected True, Ready True'}`;

/** A reconnect as the report keeps it: after which phase, how long until Active and connected, what was seen first. */
export interface DownstreamCheck {
  readonly after: string;
  /** Seconds from the end of the phase until the cluster was seen Active with its agent connected. */
  readonly seconds?: number;
  /** What the first look after the phase saw (a disconnect shows here). */
  readonly first: string;
  /** Whether it was seen up, within the budget. */
  readonly up: boolean;
  /** The last look, when it never came up. */
  readonly last?: string;
}

/** What the downstream cluster needs of the run: Rancher's URL, its CA file, a token, AWS, a stop. */
export interface DownstreamContext {
  readonly url: string;
  readonly caFile: string;
  readonly token: () => string | Promise<string>;
  readonly aws: Aws;
  readonly interrupted: () => boolean;
  readonly stop?: AbortSignal;
}

/** One shell command on the instance through SSM (AWS-RunShellScript), waited for within `minutes`. */
async function onInstance(c: DownstreamContext, instanceId: string, commands: readonly string[], minutes: number, comment: string) {
  const { side, clients } = await c.aws.sdk();
  const commandId = await side.sendShellCommand(clients, { instanceIds: [instanceId], commands, comment, timeoutSeconds: minutes * 60 });
  // Not registered with SSM yet (InvalidInstanceId: the instance is booting): the caller looks again.
  if (!commandId) return undefined;
  // Each look: undefined while the invocation is Pending, InProgress or Delayed, and while SSM does not have it yet.
  return waitUntil(minutes * 60_000, c.interrupted, async () => {
    const got = await side.invocationResult(clients, commandId, instanceId);
    return got && { status: got.status, output: got.output, error: got.error };
  });
}

const parse = <T>(answer: RancherAnswer): T | undefined => {
  try {
    return JSON.parse(answer.body) as T;
  } catch {
    return undefined;
  }
};

/** The downstream module applied (the instance running K3s): its instance id. */
export async function createDownstreamInstance(
  dir: string,
  c: Pick<DownstreamContext, 'interrupted' | 'stop'> & { readonly output: (line: string) => void },
): Promise<string> {
  for (const args of [
    ['init', '-input=false'],
    ['apply', '-auto-approve', '-input=false'],
  ]) {
    const result = await runAsync(terraformBinary(), args, { cwd: dir, timeoutMs: 1_800_000, onLine: c.output, stop: c.stop, stopSignal: 'SIGINT' });
    if (c.interrupted()) throw new Interrupted();
    if (result.code !== 0) throw new StepFailed(`terraform ${args[0]} of the downstream instance failed (exit ${result.code})`);
  }
  const id = await new Terraform(dir).outputJson('instance_id');
  if (typeof id !== 'string' || id === '') throw new StepFailed('the downstream module has no instance_id output');
  return id;
}

/**
 * The import, as Rancher's UI does it for "import existing": a v3 cluster (no driver: imported), a registration
 * token for it, its `manifestUrl` once Rancher filled it in (`<server-url>/v3/import/<token>_<cluster>.yaml`), and
 * the manifest applied on the instance, fetched there with Rancher's CA (never --insecure). Returns the cluster id
 * the moment Rancher made it (`onCluster`, so a kill after it still knows it) and the evidence.
 */
export async function importDownstream(
  c: DownstreamContext,
  o: { readonly instanceId: string; readonly clusterName: string; readonly ca: string; readonly onCluster: (id: string) => void },
): Promise<string[]> {
  const evidence: string[] = [];
  // K3s up on the instance (SSM registered, the installer done, the node Ready): a bounded poll.
  let lastK3s = 'SSM has not registered the instance yet';
  const started = Date.now();
  let nodes: string | undefined;
  const looks = Math.max(1, Math.ceil((DOWNSTREAM_MINUTES.k3s * 60_000) / POLL_INTERVAL_MS));
  const deadline = started + DOWNSTREAM_MINUTES.k3s * 60_000;
  // Bounded twice: by looks (as waitUntil) and by the clock (each look's command may itself wait up to 2 minutes).
  for (let look = 0; look < looks && nodes === undefined && Date.now() < deadline; look++) {
    if (c.interrupted()) throw new Interrupted();
    const got = await onInstance(c, o.instanceId, ['k3s kubectl get nodes --no-headers'], 2, 'rancher-ha-aws acceptance: is K3s up');
    if (got === undefined) lastK3s = 'SSM has not registered the instance yet';
    else if (got.status === 'Success' && / Ready /.test(` ${got.output} `)) nodes = got.output.trim();
    else lastK3s = `${got.status}: ${readableError(got.error || got.output, 200)}`;
    if (nodes === undefined) await yieldFor(pollPause());
  }
  if (nodes === undefined)
    throw new StepFailed(`K3s on the downstream instance ${o.instanceId} was not Ready within ${DOWNSTREAM_MINUTES.k3s} minutes (${lastK3s})`);
  evidence.push(`K3s ${DOWNSTREAM_K3S} on ${o.instanceId} Ready after ${Math.round((Date.now() - started) / 1000)} s: ${nodes.split('\n')[0]}`);

  const token = await c.token();
  const created = await rancherSend(c.url, c.caFile, token, 'POST', '/v3/clusters', JSON.stringify({ type: 'cluster', name: o.clusterName }));
  const clusterId = parse<{ id?: string }>(created)?.id;
  if (created.status !== 201 || !clusterId) throw new StepFailed(`POST ${c.url}/v3/clusters answered ${created.status} without a cluster id`);
  o.onCluster(clusterId);
  evidence.push(`POST /v3/clusters ${o.clusterName}: 201, ${clusterId}`);
  const made = await rancherSend(
    c.url,
    c.caFile,
    token,
    'POST',
    '/v3/clusterregistrationtokens',
    JSON.stringify({ type: 'clusterRegistrationToken', clusterId }),
  );
  if (made.status !== 201) throw new StepFailed(`POST ${c.url}/v3/clusterregistrationtokens answered ${made.status}`);
  // Rancher's controller fills in the manifest's URL after the token is made (and only with server-url set).
  const manifestUrl = await waitUntil(DOWNSTREAM_MINUTES.token * 60_000, c.interrupted, async () => {
    const got = await rancherGet(c.url, c.caFile, token, `/v3/clusterregistrationtokens?clusterId=${clusterId}`);
    const url = parse<{ data?: { manifestUrl?: string }[] }>(got)?.data?.find((t) => t.manifestUrl)?.manifestUrl;
    return got.status === 200 && url ? url : undefined;
  });
  if (!manifestUrl)
    throw new StepFailed(
      `Rancher gave the registration token of ${clusterId} no manifestUrl within ${DOWNSTREAM_MINUTES.token} minutes (is server-url set?)`,
    );
  evidence.push(`POST /v3/clusterregistrationtokens: 201; its manifestUrl under ${new URL(manifestUrl).origin}/v3/import/`);
  const applied = await onInstance(
    c,
    o.instanceId,
    [
      'set -eu',
      `echo '${Buffer.from(o.ca).toString('base64')}' | base64 -d > /root/rancher-ca.pem`,
      `curl --fail --silent --show-error --cacert /root/rancher-ca.pem '${manifestUrl}' | k3s kubectl apply -f -`,
    ],
    DOWNSTREAM_MINUTES.agent,
    'rancher-ha-aws acceptance: the Rancher agent manifest',
  );
  if (applied?.status !== 'Success')
    throw new StepFailed(
      `the agent manifest was not applied on ${o.instanceId}: ${applied ? `${applied.status}: ${readableError(applied.error, 300)}` : 'SSM did not take the command'}`,
    );
  evidence.push(`the agent manifest applied on ${o.instanceId} through SSM, fetched with Rancher's CA`);
  return evidence;
}

/**
 * The cluster looked at until it is Active with its agent connected, within `minutes`: after each phase that
 * replaces or restores Rancher's servers the agent has lost its tunnel and dials again (every few seconds) until
 * Rancher answers at its hostname with the CA it trusts. Returns what the report keeps; the caller fails the phase
 * when it never came up, with the last look's conditions and what the agent itself logged.
 */
export async function waitDownstreamUp(
  c: DownstreamContext,
  o: { readonly clusterId: string; readonly after: string; readonly minutes?: number },
): Promise<DownstreamCheck> {
  const minutes = o.minutes ?? DOWNSTREAM_MINUTES.active;
  const started = Date.now();
  const token = await c.token();
  let first: string | undefined;
  let last = '';
  const up = await waitUntil(minutes * 60_000, c.interrupted, async () => {
    const got = await rancherGet(c.url, c.caFile, token, `/v3/clusters/${o.clusterId}`);
    const health = got.status === 200 ? clusterHealth(got.body) : undefined;
    last = health ? describeHealth(health) : `GET /v3/clusters/${o.clusterId} answered ${got.status}`;
    first ??= last;
    return health && isUp(health) ? true : undefined;
  });
  return up
    ? { after: o.after, seconds: Math.round((Date.now() - started) / 1000), first: first ?? last, up: true }
    : { after: o.after, first: first ?? last, up: false, last };
}

/** What the cluster agent logged last (its Deployment in cattle-system, on the instance through SSM), for a failure. */
export async function agentLog(c: DownstreamContext, instanceId: string): Promise<string> {
  try {
    const got = await onInstance(
      c,
      instanceId,
      ['k3s kubectl -n cattle-system logs deployment/cattle-cluster-agent --tail=5 2>&1 || true'],
      2,
      'rancher-ha-aws acceptance: the cluster agent log',
    );
    return got ? readableError(got.output || got.error, 500) || '(nothing logged)' : 'SSM did not take the command';
  } catch (error) {
    return `not read (${readableError(String((error as Error).message), 200)})`;
  }
}

/** The failure of a check in words: the last look, and what the agent logged. */
export const notUp = (check: DownstreamCheck, minutes: number, log: string) =>
  `the downstream cluster was not Active with its agent connected ${minutes} minute${minutes === 1 ? '' : 's'} after the ${check.after} (first look: ${check.first}; last: ${check.last}); the agent logged: ${log}`;

/** A check in the report's words. */
export const describeCheck = (check: DownstreamCheck) =>
  check.up
    ? `after the ${check.after}: Active with its agent connected ${check.seconds} s after the phase${check.first.startsWith('state active; Connected True') ? '' : ` (first look: ${check.first})`}`
    : `after the ${check.after}: not Active with its agent connected (first look: ${check.first}; last: ${check.last})`;

/**
 * The downstream instance and what it holds destroyed from the module's own state (`-refresh=false`: nothing of it
 * needs to answer). The imported cluster's objects in Rancher live in Rancher's datastore (rke-ha's etcd, the docker
 * host's data volume) and go with the deployment's teardown; those on the instance go with the instance. 0 when
 * nothing was left.
 */
export async function tearDownDownstream(dir: string, io: IoHost): Promise<number> {
  if (!existsSync(join(dir, 'main.tf.json'))) return 0;
  if (!existsSync(join(dir, '.terraform'))) {
    const init = initShown(dir, io);
    if (init.code !== 0) {
      io.error('ACCEPTANCE_TERRAFORM_INIT_FAILED', `terraform init failed in ${dir} (exit ${init.code}): the downstream instance was not torn down`, {
        dir,
        exitCode: init.code,
      });
      return 1;
    }
  }
  const destroyed = await runAsync(terraformBinary(), ['apply', '-destroy', '-refresh=false', '-auto-approve', '-input=false'], {
    cwd: dir,
    timeoutMs: 1_800_000,
    onLine: terraformOutput(io),
  });
  if (destroyed.code !== 0) {
    io.error('ACCEPTANCE_DESTROY_FAILED', `terraform destroy of the downstream instance failed (exit ${destroyed.code}) in ${dir}`, {
      dir,
      exitCode: destroyed.code,
    });
    return 1;
  }
  return 0;
}
