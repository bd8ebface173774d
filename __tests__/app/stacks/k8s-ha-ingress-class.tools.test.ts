import type { SettingsInput } from '../../../app/config/settings-schema';
import { K8S_HA_STACK } from '../../../app/stacks/k8s-ha';
import { templateParts } from '../../../lib/synth/template';
import { dataSources, resources, type TerraformJson } from '../../helpers/synth';
import { describeWithTerraform, evaluateEach, expressionOf } from '../../helpers/terraform';
import { synthSettings } from '../../helpers/variants';

/** What the cluster answers at plan time: Rancher's Ingress (absent before the first apply), its classes, the record. */
interface Cluster {
  /** `spec.ingressClassName` of cattle-system/rancher (null: the Ingress has none); undefined: no such Ingress (a new deployment). */
  readonly rancherIngressClass?: string | null;
  /** IngressClass name → `spec.controller`. */
  readonly classes: Readonly<Record<string, string>>;
  /** The Rancher version the last apply recorded (chart-versions ConfigMap); undefined: none. */
  readonly rancherRunning?: string;
}

const NGINX = 'k8s.io/ingress-nginx';
const TRAEFIK = 'traefik.io/ingress-controller';
/** A cluster that runs ingress-nginx and, beside it, Traefik (its chart's class and controller). */
const BOTH = { nginx: NGINX, traefik: TRAEFIK };

const hcl = (value: unknown): string => JSON.stringify(value);
const classObjects = (classes: Cluster['classes'], only?: string) =>
  `[${Object.entries(classes)
    .filter(([name]) => only === undefined || name === only)
    .map(([name, controller]) => `{ metadata = { name = ${hcl(name)} }, spec = { controller = ${hcl(controller)} } }`)
    .join(', ')}]`;

/**
 * The Rancher release's preconditions for these settings on this cluster, as one expression: per precondition null
 * where it holds, else its rendered message. Each plan-time read is replaced by what the Kubernetes provider would
 * return from `cluster`; terraform evaluates the rest as the plan would.
 */
function outcomesExpression(json: TerraformJson, cluster: Cluster): string {
  const rancher = Object.values(resources(json, 'helm_release')).find((r) => r.chart === 'rancher');
  const preflight = Object.entries(dataSources(json, 'kubernetes_resources')).find(([name]) => name.startsWith('preflight_ingress-class'))!;
  const named = /^metadata\.name=(.+)$/.exec(preflight[1].field_selector)![1];
  const substitute = (text: string) =>
    text
      .replace(/data\.kubernetes_resources\.ingress-class-guard_rancher-ingress_[A-Za-z0-9]+\.objects/g, () =>
        cluster.rancherIngressClass === undefined ? '[]' : `[{ spec = { ingressClassName = ${hcl(cluster.rancherIngressClass)} } }]`,
      )
      .replace(/data\.kubernetes_resources\.ingress-class-guard_ingress-classes_[A-Za-z0-9]+\.objects/g, () => classObjects(cluster.classes))
      .replace(/data\.kubernetes_resources\.preflight_ingress-class_[A-Za-z0-9]+\.objects/g, () => classObjects(cluster.classes, named))
      // The release's Helm records: none pending (pending-release.tools.test.ts plans the pending ones).
      .replace(/data\.kubernetes_resources\.pending-releases_rancher_[A-Za-z0-9_-]+\.objects/g, '[]')
      .replace(/data\.kubernetes_config_map_v1\.chart-versions_recorded_[A-Za-z0-9]+\.data/g, () =>
        cluster.rancherRunning === undefined ? '{}' : `{ rancher = ${hcl(cluster.rancherRunning)} }`,
      );
  const message = (template: string) =>
    `join("", [${templateParts(template)
      .map((p) => (p.kind === 'literal' ? hcl(p.text) : `tostring(${substitute(expressionOf(p.text))})`))
      .join(', ')}])`;
  const preconditions: { condition: string; error_message: string }[] = rancher.lifecycle.precondition;
  for (const p of preconditions) {
    // Every read is replaced: what is left is the settings' own values.
    expect(substitute(p.condition)).not.toMatch(/data\.kubernetes_/);
  }
  return `[${preconditions.map((p) => `(${substitute(expressionOf(p.condition))}) ? null : ${message(p.error_message)}`).join(', ')}]`;
}

const k8sHa = (ingress?: Record<string, unknown>): SettingsInput => (ingress ? { k8sHa: { ingress } } : {});

/** [case, settings, cluster, the refusals (substrings, in order; none: the plan goes ahead)]. */
const CASES: [string, SettingsInput, Cluster, string[]][] = [
  ['a new deployment (no Rancher ingress yet) takes the Traefik default', k8sHa(), { classes: BOTH }, []],
  ['a running Traefik deployment with the class unset', k8sHa(), { rancherIngressClass: 'traefik', classes: BOTH, rancherRunning: '2.14.3' }, []],
  [
    'a running ingress-nginx deployment whose settings leave the class unset (the default moved)',
    k8sHa(),
    { rancherIngressClass: 'nginx', classes: BOTH, rancherRunning: '2.14.3' },
    [
      'ingress.className is unset: its default is "traefik" for new deployments, but Rancher\'s ingress runs with class "nginx". A running deployment keeps its class',
    ],
  ],
  [
    'a running Rancher Ingress without a class',
    k8sHa({ className: 'traefik' }),
    { rancherIngressClass: null, classes: BOTH, rancherRunning: '2.14.3' },
    ['but Rancher\'s ingress runs with class "(none)" (controller "")'],
  ],
  [
    'the same deployment with the class pinned to nginx',
    k8sHa({ className: 'nginx' }),
    { rancherIngressClass: 'nginx', classes: BOTH, rancherRunning: '2.14.3' },
    [],
  ],
  [
    'the move from ingress-nginx to Traefik with Rancher 2.14 running',
    k8sHa({ className: 'traefik' }),
    { rancherIngressClass: 'nginx', classes: BOTH, rancherRunning: '2.14.3' },
    [],
  ],
  [
    'the move from ingress-nginx to Traefik with Rancher 2.13 running',
    // versions.rancher 2.14.3 over a running 2.13.3 passes the chart rules (one minor): only the floor speaks (the
    // settings file's RKE2 pin, which all stacks share, in 2.14's range).
    { ...k8sHa({ className: 'traefik' }), versions: { rancher: '2.14.3', rke2: 'v1.35.7+rke2r1' } },
    { rancherIngressClass: 'nginx', classes: BOTH, rancherRunning: '2.13.3' },
    [
      'ingress.className moves Rancher\'s ingress from "nginx" to "traefik", which needs Rancher 2.14.0 or later running (Rancher\'s migration off ingress-nginx starts there), but the running Rancher is "2.13.3". Upgrade Rancher first',
    ],
  ],
  [
    'the move from ingress-nginx to Traefik with no Rancher version recorded',
    k8sHa({ className: 'traefik' }),
    { rancherIngressClass: 'nginx', classes: BOTH },
    ['which needs Rancher 2.14.0 or later running (Rancher\'s migration off ingress-nginx starts there), but the running Rancher is "not recorded".'],
  ],
  [
    'Traefik back to ingress-nginx',
    k8sHa({ className: 'nginx' }),
    { rancherIngressClass: 'traefik', classes: BOTH, rancherRunning: '2.14.3' },
    [
      'ingress.className is "nginx" (controller "k8s.io/ingress-nginx"), but Rancher\'s ingress runs with class "traefik" (controller "traefik.io/ingress-controller"). On a running deployment the class moves only from one ingress-nginx serves',
    ],
  ],
  [
    'one ingress-nginx class to another',
    k8sHa({ className: 'nginx-internal' }),
    { rancherIngressClass: 'nginx', classes: { ...BOTH, 'nginx-internal': NGINX }, rancherRunning: '2.14.3' },
    ['ingress.className is "nginx-internal" (controller "k8s.io/ingress-nginx"), but Rancher\'s ingress runs with class "nginx"'],
  ],
  [
    'ingress-nginx to a class another controller serves',
    k8sHa({ className: 'haproxy' }),
    { rancherIngressClass: 'nginx', classes: { ...BOTH, haproxy: 'haproxy.org/ingress-controller/haproxy' }, rancherRunning: '2.14.3' },
    ['ingress.className is "haproxy" (controller "haproxy.org/ingress-controller/haproxy"), but Rancher\'s ingress runs with class "nginx"'],
  ],
];

describeWithTerraform("k8s-ha: the ingress class a running deployment keeps, evaluated by terraform on the cluster's answers", () => {
  // One terraform run for every case.
  let outcomes: (string | null)[][] = [];
  beforeAll(() => {
    outcomes = evaluateEach(CASES.map(([, settings, cluster]) => outcomesExpression(synthSettings(K8S_HA_STACK, settings).json, cluster))) as (
      string | null
    )[][];
  });

  it.each(CASES.map(([name, , , refused], i) => [name, refused, i] as const))('%s', (_name, refused, i) => {
    const messages = outcomes[i].filter((m): m is string => m !== null);
    expect(messages).toHaveLength(refused.length);
    refused.forEach((text, j) => expect(messages[j]).toContain(text));
  });
});
