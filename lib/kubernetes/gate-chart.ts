import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Release } from '@cdktf/provider-helm/lib/release';
import { Fn, TerraformAsset, AssetType, TerraformLocal, TerraformStack, type ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { stringify } from 'yaml';
import { literal, splitReferences } from '../common/terraform-template';
import { HELM_GRACE_MINUTES, JOB_GRACE_SECONDS, PROVIDER_GRACE_MINUTES } from '../config/wait-budgets';
import JOB_FAILURE from './job-failure.sh';

/**
 * The chart every readiness gate is a Helm release of. Its only template
 * prints one value, `manifest`, as it is: the gate's Job, written whole (as
 * YAML) by the construct. No Go template logic to reason about, and a render
 * is a substitution a test can do without helm.
 *
 * Helm's wait is why the gates are releases (docs/design-notes.md, "Gates
 * that survive a transient API error"). The files live here as text, not as
 * files beside the code, because the library is also bundled (scripts/build.js):
 * the construct writes them to a folder named by their hash and a
 * TerraformAsset copies that folder into the synthesized module.
 */
export const GATE_CHART_FILES: Readonly<Record<string, string>> = {
  'Chart.yaml': [
    'apiVersion: v2',
    'name: rancher-aws-gate',
    'description: One readiness gate of rancher-ha-aws, a Job passed whole in the value manifest',
    'type: application',
    'version: 1.0.0',
    '',
  ].join('\n'),
  'templates/job.yaml': '{{ .Values.manifest }}\n',
};

/** The one template action of the chart (tests hold the template to exactly this). */
export const GATE_CHART_ACTION = '{{ .Values.manifest }}';

/** A short hash of the chart's files: part of every gate's name, so a new chart replaces the gates. */
export const GATE_CHART_HASH = createHash('sha256')
  .update(JSON.stringify(Object.entries(GATE_CHART_FILES).sort()))
  .digest('hex')
  .slice(0, 16);

/** The chart on disk (written once per content, atomically: several synths may run at once). */
export function gateChartDirectory(): string {
  const dir = join(tmpdir(), `rancher-ha-aws-gate-chart-${GATE_CHART_HASH}`);
  if (existsSync(join(dir, 'Chart.yaml'))) return dir;
  const scratch = `${dir}.${process.pid}.${Date.now()}`;
  for (const [file, text] of Object.entries(GATE_CHART_FILES)) {
    mkdirSync(join(scratch, file, '..'), { recursive: true });
    writeFileSync(join(scratch, file), text);
  }
  try {
    renameSync(scratch, dir);
  } catch (error) {
    // Another synth wrote the same content first.
    rmSync(scratch, { recursive: true, force: true });
    if (!existsSync(join(dir, 'Chart.yaml'))) throw error;
  }
  return dir;
}

/** The id of the chart's one TerraformAsset in a stack. */
export const GATE_CHART_ASSET_ID = 'rancher-aws-gate-chart';

/**
 * The path Terraform reads the chart at: under `path.module`, so the module
 * folder works wherever it is copied or called from. The chart is copied into
 * the synthesized module once per stack (`assets/<id>/<hash>/`), whichever
 * construct asks first: the readiness gates and the backup Jobs of every
 * deployment in the stack share it.
 */
export function gateChart(scope: Construct): string {
  const stack = TerraformStack.of(scope);
  const asset =
    (stack.node.tryFindChild(GATE_CHART_ASSET_ID) as TerraformAsset | undefined) ??
    new TerraformAsset(stack, GATE_CHART_ASSET_ID, {
      path: gateChartDirectory(),
      type: AssetType.DIRECTORY,
      assetHash: GATE_CHART_HASH.slice(0, 8).toUpperCase(),
    });
  return `\${path.module}/${asset.path}`;
}

/** A JSON value, as a manifest holds it. */
export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

/** A Job of the gate chart as the Kubernetes API takes it (the chart's whole manifest). */
export interface ChartJob {
  readonly apiVersion: 'batch/v1';
  readonly kind: 'Job';
  readonly metadata: { readonly name: string; readonly namespace: string; readonly labels: Record<string, string> };
  readonly spec: { readonly [key: string]: Json };
}

export interface ChartJobProps {
  /** The Job's and the release's name without the hash: `<prefix>-<hash>`. */
  readonly prefix: string;
  readonly labels: Record<string, string>;
  readonly serviceAccount: string;
  /** `rancher/shell` through imageRef (the air-gap registry). */
  readonly image: string;
  readonly container: string;
  /**
   * The script bash runs, as text (escaped for Terraform once, with the rest of the values). job-failure.sh goes
   * before it: the script calls `report_failure` with its last line when it gives up.
   */
  readonly script: string;
  /** The script's environment after `HOME` and `DEADLINE_SECONDS`; a value may carry Terraform references. */
  readonly env: readonly { readonly name: string; readonly value: string }[];
  /** The script's budget: `DEADLINE_SECONDS`; the Job's deadline is JOB_GRACE_SECONDS more. */
  readonly minutes: number;
  readonly backoffLimit: number;
}

// The graces live in lib/config/wait-budgets.ts, where the CLI's RTO model reads them too.
export { HELM_GRACE_MINUTES, JOB_GRACE_SECONDS, PROVIDER_GRACE_MINUTES };

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * A Job of the gate chart: unprivileged, read-only root, a small writable
 * /tmp, `restartPolicy: Never`, bounded by its deadline. `name` is
 * `<prefix>-<hash>`, the hash over the Job and the chart (`hashed`), so a
 * change of either names a new release, which replaces the old one.
 */
export function chartJob(props: ChartJobProps): { readonly spec: ChartJob['spec']; readonly hashed: string } {
  const budget = props.minutes * 60;
  const spec = {
    backoffLimit: props.backoffLimit,
    activeDeadlineSeconds: budget + JOB_GRACE_SECONDS,
    template: {
      metadata: { labels: props.labels },
      spec: {
        serviceAccountName: props.serviceAccount,
        restartPolicy: 'Never',
        securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name: props.container,
            image: props.image,
            command: ['bash', '-c', `${JOB_FAILURE}\n${props.script}`],
            env: [
              // kubectl keeps a discovery cache under $HOME.
              { name: 'HOME', value: '/tmp' },
              { name: 'DEADLINE_SECONDS', value: String(budget) },
              // Where report_failure records the last line (job-failure.sh); the Job controller labels its pods.
              { name: 'JOB_NAME', valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-name']" } } },
              { name: 'JOB_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              ...props.env,
            ],
            resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
          },
        ],
        volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '16Mi' } }],
      },
    },
  };
  return { spec, hashed: JSON.stringify({ prefix: props.prefix, labels: props.labels, spec, chart: GATE_CHART_HASH }) };
}

/**
 * `<prefix>-<hash>` for a Job whose text (`hashed`) is known at synth: the
 * first 10 hex digits of its SHA-256.
 */
export function staticJobName(prefix: string, hashed: string): string {
  return `${prefix}-${sha256(hashed).slice(0, 10)}`;
}

/**
 * `<prefix>-<hash>` for a Job that may carry Terraform references (a bucket's
 * name, a random suffix): without any, staticJobName; with some, a local
 * `<id>-name` that Terraform computes, `substr(sha256(jsonencode([<hash of the
 * Job with every reference blanked>, <each reference's value>])), 0, 10)`.
 * Known once the references are (unknown in the plan of the apply that creates
 * them, which creates the release too); the same for the same values, so an
 * unchanged deployment plans nothing, and a new value (a replaced bucket)
 * replaces the release.
 */
export function jobName(scope: Construct, id: string, prefix: string, hashed: string): string {
  const { references, skeleton } = splitReferences(hashed);
  if (references.length === 0) return staticJobName(prefix, hashed);
  const hash = Fn.substr(Fn.sha256(Fn.jsonencode([sha256(skeleton), ...references])), 0, 10);
  return new TerraformLocal(scope, `${id}-name`, `${prefix}-${hash}`).asString;
}

export interface ChartJobReleaseProps {
  readonly job: ChartJob;
  /** The release's namespace (where Helm keeps its record). */
  readonly namespace: string;
  /** The chart as the module holds it (gateChart). */
  readonly chart: string;
  /** The Job's budget (ChartJobProps.minutes). */
  readonly minutes: number;
  readonly dependsOn: ITerraformDependable[];
}

/**
 * A Helm release of the gate chart printing `job`, named as the Job: Terraform
 * waits for the Job with Helm's wait (`wait_for_jobs`), which reads through a
 * refused connection, a 429 or a 5xx; a failed or timed-out Job is
 * uninstalled and not recorded (`atomic`), so the next apply runs it again
 * (docs/design-notes.md, "Gates that survive a transient API error").
 */
export function chartJobRelease(scope: Construct, id: string, props: ChartJobReleaseProps): Release {
  const { job, minutes } = props;
  return new Release(scope, id, {
    name: job.metadata.name,
    namespace: props.namespace,
    chart: props.chart,
    // The chart's template adds the last newline; references stay references, every other `${` arrives as written.
    values: [literal(JSON.stringify({ manifest: stringify(job, { lineWidth: 0, aliasDuplicateObjects: false }).trimEnd() }))],
    wait: true,
    waitForJobs: true,
    // A failed or timed-out Job is uninstalled and not recorded: the next apply installs and runs it again.
    atomic: true,
    // A failed release left by an uninstall that could not finish (the API gone meanwhile) may be reused.
    replace: true,
    timeout: (minutes + HELM_GRACE_MINUTES) * 60,
    timeouts: {
      create: `${minutes + HELM_GRACE_MINUTES + PROVIDER_GRACE_MINUTES}m`,
      update: `${minutes + HELM_GRACE_MINUTES + PROVIDER_GRACE_MINUTES}m`,
    },
    dependsOn: props.dependsOn,
  });
}
