import { join } from 'node:path';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TerraformStack } from 'cdktf';
import { parse } from 'yaml';
import { GATE_CHART_FILES } from '../../../lib/kubernetes/gate-chart';
import { ReadinessGates } from '../../../lib/kubernetes/readiness-gates';
import { gateEnv, gates } from '../../helpers/gates';
import { only, synthConstruct, synthStackFolder } from '../../helpers/synth';
import { runValidator } from '../../helpers/validators';

// The gate chart as helm would render it (yamllint, a real tool) and as the synthesized module folder holds it.
describe('the gate chart', () => {
  const providers = (stack: TerraformStack) => [new KubernetesProvider(stack, 'kubernetes', {}), new HelmProvider(stack, 'helm', {})];
  const { json } = synthConstruct((stack) => {
    providers(stack);
    const gates = new ReadinessGates(stack, 'readiness-gates', { dependsOn: [] });
    gates.gate('ingress-ready', {
      check: { kind: 'admission', ingressClass: 'nginx' },
      minutes: 10,
      rerunOn: '${not a reference} %{ nor a directive }',
    });
  });
  const ingress = gates(json)['rancher-aws-ingress-ready'];

  it('is a chart whose one template prints the manifest value: helm renders the Job as the construct wrote it', () => {
    expect(Object.keys(GATE_CHART_FILES).sort()).toEqual(['Chart.yaml', 'templates/job.yaml']);
    expect(parse(GATE_CHART_FILES['Chart.yaml'])).toEqual({
      apiVersion: 'v2',
      name: 'rancher-aws-gate',
      description: expect.any(String),
      type: 'application',
      version: '1.0.0',
    });
    expect(ingress.job.metadata.name).toBe(ingress.release.name);
    expect(gateEnv(ingress).RERUN_ON).toBe('${not a reference} %{ nor a directive }');
  });

  it('renders YAML that yamllint accepts', () => {
    const result = runValidator('yamllint', ['-c', join(__dirname, '../../../.yamllint.yaml'), '-f', 'parsable'], ingress.rendered, 'job.yaml');
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  it('is copied into the synthesized module folder, at the path the release names under path.module', () => {
    const folder = synthStackFolder((app) => {
      const stack = new TerraformStack(app, 'gates');
      providers(stack);
      new ReadinessGates(stack, 'readiness-gates', { dependsOn: [] }).gate('servers-ready', {
        check: { kind: 'servers', servers: 1, embeddedEtcd: false },
        minutes: 5,
      });
      return stack;
    }, 'json');
    const [, release] = only(folder.json, 'helm_release');
    const relative = release.chart.replace('${path.module}/', '');
    expect(relative).toMatch(/^assets\/rancher-aws-gate-chart\/[0-9A-F]{8}$/);
    expect(folder.assets[join(relative, 'Chart.yaml')]).toBe(GATE_CHART_FILES['Chart.yaml']);
    expect(folder.assets[join(relative, 'templates', 'job.yaml')]).toBe(GATE_CHART_FILES['templates/job.yaml']);
  });
});
