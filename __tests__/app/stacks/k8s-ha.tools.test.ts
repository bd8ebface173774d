import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SettingsInput } from '../../../app/config/settings-schema';
import { K8S_HA_STACK } from '../../../app/stacks/k8s-ha';
import { runApp, STACK_TRACE_LINE } from '../../helpers/app-process';
import { resources } from '../../helpers/synth';
import { synthSettings } from '../../helpers/variants';
import { describeWithTerraform, evaluate, expressionOf } from '../../helpers/terraform';

function synth(input: SettingsInput | Record<string, unknown> = {}) {
  return synthSettings(K8S_HA_STACK, input);
}

describe('main.ts', () => {
  it('synthesizes the k8s-ha stack with the built-in defaults', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'rancher-k8s-main-'));
    try {
      const result = runApp(cwd);
      expect(result.stderr).not.toMatch(STACK_TRACE_LINE);
      expect(result.status).toBe(0);
      const file = join(cwd, 'cdktf.out', 'stacks', 'k8s-ha', 'cdk.tf.json');
      expect(existsSync(file)).toBe(true);
      expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')).resource)).toContain('helm_release');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describeWithTerraform('k8s-ha stack: the re-encryption precondition, evaluated by terraform', () => {
  const json = synth({ rancher: { tls: { mode: 'rancher' } }, k8sHa: { ingress: { className: 'traefik' } } }).json;
  const [, rancher] = Object.entries(resources(json, 'helm_release')).find(([, r]) => r.chart === 'rancher')!;
  const condition = expressionOf(rancher.lifecycle.precondition[0].condition);
  // The IngressClass lookup replaced by what the Kubernetes provider would return.
  const withClasses = (objects: string) => condition.replace(/try\(data\.kubernetes_resources\.[^)]+\.objects, \[\]\)/, objects);

  it('fails the plan when the class is served by another controller', () => {
    expect(withClasses('[{ spec = { controller = "traefik.io/ingress-controller" } }]')).not.toBe(condition);
    expect(evaluate(withClasses('[{ spec = { controller = "traefik.io/ingress-controller" } }]'))).toBe(false);
  });

  it('passes when the class is served by ingress-nginx', () => {
    expect(evaluate(withClasses('[{ spec = { controller = "k8s.io/ingress-nginx" } }]'))).toBe(true);
  });
});
