import { Fn, TerraformLocal, TerraformOutput } from 'cdktf';
import { parse } from 'yaml';
import { forwardedHeadersChartConfig } from '../../../lib/kubernetes/private/ingress-controller-config';
import { rancherChartValues } from '../../../lib/rancher/chart-values';
import { tlsSchema } from '../../../lib/config/tls-schema';
import { synthConstruct } from '../../helpers/synth';
import { describeWithTerraform, evaluate, expressionOf, unparsableTemplates } from '../../helpers/terraform';

describe('forwardedHeadersChartConfig', () => {
  describeWithTerraform('yamlencoded by Terraform, as the Rancher release values are', () => {
    const { json } = synthConstruct((stack) => {
      new TerraformLocal(stack, 'helm_chart_config', Fn.yamlencode(forwardedHeadersChartConfig()));
      // The path the stack uses: inside the Rancher chart's extraObjects.
      const values = rancherChartValues({
        hostname: 'rancher.example.com',
        replicas: 3,
        ingressClassName: 'nginx',
        tls: tlsSchema.parse({ mode: 'external', issuer: 'acme' }),
        extraObjects: [forwardedHeadersChartConfig()],
      });
      new TerraformOutput(stack, 'rancher_values', { value: Fn.yamlencode(values) });
    });

    it('renders only templates that parse as HCL', () => {
      expect(unparsableTemplates(json)).toEqual([]);
    });

    it('(the HCL check itself names a broken template)', () => {
      const broken = { ...json, locals: { ...json.locals, broken: '${yamlencode({"a" = "b)}' } };
      expect(unparsableTemplates(broken)).toEqual(['locals.broken']);
    });

    it('evaluates to YAML whose valuesContent still trusts the forwarded headers', () => {
      const rendered = evaluate(expressionOf(json.locals?.helm_chart_config), { unused: '' }) as string;
      const manifest = parse(rendered) as { spec: { valuesContent: string } };
      expect(manifest).toEqual(forwardedHeadersChartConfig());
      expect(parse(manifest.spec.valuesContent).controller.config['use-forwarded-headers']).toBe('true');
    });

    it('survives inside the Rancher chart values', () => {
      const rendered = evaluate(expressionOf(json.output?.rancher_values.value), { unused: '' }) as string;
      const values = parse(rendered) as { tls: string; extraObjects: unknown[] };
      expect(values.tls).toBe('external');
      expect(values.extraObjects).toEqual([forwardedHeadersChartConfig()]);
    });
  });
});
