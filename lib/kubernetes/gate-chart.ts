import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerraformAsset, AssetType } from 'cdktf';
import type { Construct } from 'constructs';

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

/**
 * The chart copied into the synthesized module (`assets/<id>/<hash>/`), and
 * the path Terraform reads it at: under `path.module`, so the module folder
 * works wherever it is copied or called from.
 */
export function gateChart(scope: Construct, id: string): { readonly asset: TerraformAsset; readonly chart: string } {
  const asset = new TerraformAsset(scope, id, { path: gateChartDirectory(), type: AssetType.DIRECTORY, assetHash: GATE_CHART_HASH.slice(0, 8).toUpperCase() });
  return { asset, chart: `\${path.module}/${asset.path}` };
}
