import { parse } from 'yaml';
import { GATE_CHART_ACTION, GATE_CHART_FILES } from '../../lib/kubernetes/gate-chart';
import type { TerraformJson } from './synth';
import { placeholderValue, renderTemplate } from './validators';

/** One readiness gate of a synthesized stack: its helm_release, and its Job as the chart renders it. */
export interface Gate {
  /** The release's name in the JSON (its Terraform address without `helm_release.`). */
  readonly address: string;
  readonly release: any;
  /** `rancher-aws-<id>`: the Job's name without its hash. */
  readonly id: string;
  /** The chart's output for the release's values, as helm would print it. */
  readonly rendered: string;
  /** That output parsed: the Job the API receives. */
  readonly job: any;
}

const noExpression = (expression: string): string => {
  throw new Error(`a gate's values hold a Terraform expression: ${expression}`);
};

/**
 * The gate chart's template with the release's values: its one action replaced by the value (text/template prints a
 * string as is). A gate's values hold no Terraform expression; other Jobs of the chart (the backup objects') pass
 * `resolve`, which stands in for each expression's value.
 */
export function renderGateChart(valuesText: string, resolve: (expression: string) => string = noExpression): string {
  const values = JSON.parse(renderTemplate(valuesText, resolve)) as Record<string, unknown>;
  expect(Object.keys(values)).toEqual(['manifest']);
  expect(typeof values.manifest).toBe('string');
  const template = GATE_CHART_FILES['templates/job.yaml'];
  expect(template).toBe(`${GATE_CHART_ACTION}\n`);
  return template.replace(GATE_CHART_ACTION, () => values.manifest as string);
}

/** A gate release's values text → its Job as rendered and parsed (null for the chart's other Jobs), for this test file. */
const jobs = new Map<string, Omit<Gate, 'address' | 'release'> | null>();

/** The gate a release of the gate chart prints, or null when its Job is another of the chart's (the backup objects'). */
function gateJob(values: string): Omit<Gate, 'address' | 'release'> | null {
  const withPlaceholders = renderGateChart(values, placeholderValue);
  const job = parse(withPlaceholders);
  if (job.metadata.labels['app.kubernetes.io/name'] !== 'rancher-aws-gates') return null;
  // A gate's values hold no expression (renderGateChart refuses one), so the text is the one just parsed.
  const rendered = renderGateChart(values);
  return { id: job.metadata.name.replace(/-[0-9a-f]{10}$/, ''), rendered, job: rendered === withPlaceholders ? job : parse(rendered) };
}

/** Every gate of a synthesized stack (releases of the gate chart), by Job name without its hash. */
export function gates(json: TerraformJson): Record<string, Gate> {
  const found: Record<string, Gate> = {};
  for (const [address, release] of Object.entries<any>(json.resource.helm_release ?? {})) {
    if (!/^\$\{path\.module\}\/assets\/rancher-aws-gate-chart\/[0-9A-F]+$/.test(release.chart)) continue;
    const values = release.values[0] as string;
    if (!jobs.has(values)) jobs.set(values, gateJob(values));
    const job = jobs.get(values);
    if (job) found[job.id] = { address, release, ...job };
  }
  return found;
}

/** The charts a stack's Helm releases install from their repositories, sorted: those the module ships in its assets/ (the gate chart) left out. */
export const repositoryCharts = (json: TerraformJson): string[] =>
  Object.values<any>(json.resource.helm_release ?? {})
    .map((release) => release.chart as string)
    .filter((chart) => !chart.includes('/assets/'))
    .sort();

/** The gate whose Job is `rancher-aws-<name>-<hash>`; fails when there is none. */
export function gate(json: TerraformJson, name: string): Gate {
  const found = gates(json)[`rancher-aws-${name}`];
  if (!found) throw new Error(`no gate rancher-aws-${name}; the gates are ${Object.keys(gates(json)).join(', ')}`);
  return found;
}

/** The gate's container env as name → value. */
export const gateEnv = (g: Gate): Record<string, string> =>
  Object.fromEntries(g.job.spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
