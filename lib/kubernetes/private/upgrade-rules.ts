import type { GuardCondition } from '../../common/deployment-guard';
import { RANCHER_KUBERNETES_RANGE } from '../../config/versions';
import { escapeTemplate } from '../../common/terraform-template';

/**
 * Version patterns as Terraform regexes (RE2; no backslashes, which HCL
 * strings would need escaped). The first group is always the minor.
 */
export const VERSION_PATTERNS = {
  kubernetes: '^v1[.]([0-9]+)[.]([0-9]+)[+](?:rke2r|k3s)([0-9]+)$',
  rancher: '^2[.]([0-9]+)[.]([0-9]+)$',
  certManager: '^v1[.]([0-9]+)[.]([0-9]+)$',
} as const;
type Kind = keyof typeof VERSION_PATTERNS;

function parts(kind: Kind, version: string): number[] {
  const m = new RegExp(VERSION_PATTERNS[kind]).exec(version);
  if (!m) throw new Error(`not a ${kind} version: ${version}`);
  return m.slice(1).map(Number);
}

/** A number that orders versions of one kind: each part zero-padded to four digits (1.35.7 r1 → 35 0007 0001). */
export function versionOrder(kind: Kind, version: string): number {
  return Number(
    parts(kind, version)
      .map((p) => String(p).padStart(4, '0'))
      .join(''),
  );
}

/** The same number for a version known only at plan time (a Terraform expression). */
export function versionOrderExpression(kind: Kind, expression: string): string {
  return `tonumber(join("", [for part in regex("${VERSION_PATTERNS[kind]}", ${expression}) : format("%04d", tonumber(part))]))`;
}

function minorExpression(kind: Kind, expression: string): string {
  return `tonumber(regex("${VERSION_PATTERNS[kind]}", ${expression})[0])`;
}

/** Rancher lines (e.g. "2.14") whose chart accepts Kubernetes 1.`minor`. */
export function rancherLinesFor(minor: number): string[] {
  return Object.entries(RANCHER_KUBERNETES_RANGE)
    .filter(([, range]) => minor >= range.min && minor < range.maxExclusive)
    .map(([line]) => line);
}

export interface KubernetesUpgradeRuleProps {
  /** The settings path, for the messages: `versions.rke2` or `versions.k3s`. */
  readonly setting: string;
  /** The version the settings ask for. */
  readonly version: string;
  /** What the servers were last recorded at (expression; "" when unknown). */
  readonly running: string;
  /** The version the last started upgrade aimed at (expression; "" when none). */
  readonly target: string;
  /** The running Rancher chart version (expression; "" when unknown). */
  readonly rancherRunning: string;
  /**
   * The distinct versions the servers report (a list expression; [] when unknown): when they differ, an
   * upgrade is under way, and only its version (the newest) may be applied.
   * @default not checked
   */
  readonly nodeVersions?: string;
}

/*
 * Each rule that parses a recorded version is wrapped in try(…, true): nothing
 * recorded ("") passes, and Terraform 1.11's `||` evaluates both sides, so a
 * guard written as `x == "" || regex(…, x)` would fail on the empty record.
 */

/**
 * Plan-time refusals of a Kubernetes version change the running servers
 * cannot take in place: a downgrade, a skipped minor (Kubernetes' version
 * skew policy, which the upgrade controller does not enforce itself), a new
 * target while an earlier upgrade has not finished, and a minor the running
 * Rancher does not accept (Kubernetes is upgraded before the charts).
 */
export function kubernetesUpgradeRules(props: KubernetesUpgradeRuleProps): GuardCondition[] {
  const { running, target, rancherRunning } = props;
  const version = escapeTemplate(props.version);
  const minor = parts('kubernetes', props.version)[0];
  const order = versionOrder('kubernetes', props.version);
  const lines = rancherLinesFor(minor);
  return [
    {
      condition: `\${try(${versionOrderExpression('kubernetes', running)} <= ${order}, true)}`,
      errorMessage:
        `${props.setting} is "${version}", but the servers run "\${${running}}": Kubernetes is not downgraded in place. ` +
        'Set the running version back; going back needs a restore of an etcd snapshot taken before the upgrade (docs/day-2.md, "Upgrading").',
    },
    {
      condition: `\${try(${minorExpression('kubernetes', running)} >= ${minor - 1}, true)}`,
      errorMessage:
        `${props.setting} is "${version}", but the servers run "\${${running}}": one Kubernetes minor at a time. ` +
        `Upgrade to the newest 1.${minor - 1} release first, apply, then to "${version}".`,
    },
    {
      condition: `\${${target} == "" || ${target} == ${running} || ${target} == "${version}"}`,
      errorMessage:
        `${props.setting} is "${version}", but the upgrade to "\${${target}}" has not finished (the servers were last recorded at "\${${running}}"). ` +
        `Apply with ${props.setting} "\${${target}}" to finish it (its gate names the node that did not come back), then change the version.`,
    },
    {
      condition: `\${try(contains(${JSON.stringify(lines)}, regex("^(2[.][0-9]+)[.]", ${rancherRunning})[0]), true)}`,
      errorMessage:
        `${props.setting} is "${version}" (Kubernetes 1.${minor}), which the running Rancher "\${${rancherRunning}}" does not support. ` +
        `Kubernetes is upgraded before the charts, so Rancher goes first: apply once with ${props.setting} "\${${running}}" (what the servers run) ` +
        `and versions.rancher at a ${lines.join(' or ') || 'newer'} release (one minor above the running Rancher at most), then with ${props.setting} "${version}".`,
    },
    ...(props.nodeVersions === undefined
      ? []
      : [
          {
            condition: `\${try(length(${props.nodeVersions}) <= 1 || max([for v in ${props.nodeVersions} : ${versionOrderExpression('kubernetes', 'v')}]...) == ${order}, true)}`,
            errorMessage:
              `${props.setting} is "${version}", but the servers run different versions (\${join(", ", ${props.nodeVersions})}): an upgrade is under way. ` +
              `Apply with ${props.setting} set to the newest of them to finish it, then change the version.`,
          },
        ]),
  ];
}

export interface RancherUpgradeRuleProps {
  /** The version the settings ask for. */
  readonly version: string;
  /** What was last recorded running (expression; "" when unknown). */
  readonly running: string;
  /**
   * A plan-time condition (expression) under which a lower version is taken: the apply restores the data the lower
   * version wrote (the docker stack's `restoreSnapshotId` changing). @default a downgrade is always refused
   */
  readonly restoring?: string;
  /** How a downgrade is made instead, for the message. @default a restore of a backup taken before the upgrade */
  readonly downgradeProcedure?: string;
}

/** Plan-time refusals of a Rancher chart change: no downgrade, one minor at a time (Rancher's upgrade docs). */
export function rancherUpgradeRules(props: RancherUpgradeRuleProps): GuardCondition[] {
  const { running } = props;
  const version = escapeTemplate(props.version);
  const minor = parts('rancher', props.version)[0];
  const notDown = `try(${versionOrderExpression('rancher', running)} <= ${versionOrder('rancher', props.version)}, true)`;
  return [
    {
      // Terraform 1.11's || evaluates both sides: each is total (try, a comparison of strings).
      condition: `\${${props.restoring === undefined ? notDown : `${props.restoring} || ${notDown}`}}`,
      errorMessage: `versions.rancher is "${version}", but Rancher "\${${running}}" runs: Rancher is not downgraded (a downgrade is ${props.downgradeProcedure ?? 'a restore of a backup taken before the upgrade'}).`,
    },
    {
      condition: `\${try(${minorExpression('rancher', running)} >= ${minor - 1}, true)}`,
      errorMessage: `versions.rancher is "${version}", but Rancher "\${${running}}" runs: Rancher is upgraded one minor at a time. Apply the newest 2.${minor - 1} release first.`,
    },
  ];
}

/** Plan-time refusal of a cert-manager downgrade (its CRDs are upgraded with the chart). */
export function certManagerUpgradeRules(props: { readonly version: string; readonly running: string }): GuardCondition[] {
  const { running } = props;
  return [
    {
      condition: `\${try(${versionOrderExpression('certManager', running)} <= ${versionOrder('certManager', props.version)}, true)}`,
      errorMessage: `versions.certManager is "${escapeTemplate(props.version)}", but cert-manager "\${${running}}" runs: cert-manager is not downgraded.`,
    },
  ];
}
