import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import type { TerraformStack } from 'cdktf';
import { NOT_REPORTED } from '../../../lib/common/reported-ends';
import { k3sCertificateCheck } from '../../../lib/docker/private/k3s-certificate-check';
import { dataSources, resources, synthConstruct } from '../../helpers/synth';
import { evaluateEach, expressionOf } from '../../helpers/terraform';

describe('k3sCertificateCheck evaluated by terraform', () => {
  const { json } = synthConstruct((stack: TerraformStack) => {
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    k3sCertificateCheck(stack, { parameterPath: '/demo/docker', checkName: 'k3s_certificate' });
  });
  const [assertion] = (json as any).check.k3s_certificate.assert;
  const [name] = Object.keys(dataSources(json, 'aws_ssm_parameters_by_path'));
  const data = `data.aws_ssm_parameters_by_path.${name}`;
  const NOW = '2026-11-23T00:00:00Z';
  /** Per report (undefined: no parameter yet), the condition and, where it fails, the message, at NOW. */
  const outcomes = (...reports: (string | undefined)[]) => {
    const facts = (report: string | undefined) => (text: string) =>
      text
        .replaceAll('plantimestamp()', JSON.stringify(NOW))
        .replaceAll(`${data}.names`, JSON.stringify(report === undefined ? [] : ['/demo/docker/k3s-certificate-end/rancher']))
        .replaceAll(`${data}.values`, `sensitive(${JSON.stringify(report === undefined ? [] : [report])})`);
    return evaluateEach(
      reports.map((report) => {
        const f = facts(report);
        return `(${f(expressionOf(assertion.condition))}) ? null : trimspace(<<EOT\n${f(assertion.error_message)}\nEOT\n)`;
      }),
    ) as (string | null)[];
  };

  it('makes the parameter the host writes (its value Terraform ignores) and reads it at plan time, outside the check', () => {
    expect(Object.values(resources(json, 'aws_ssm_parameter'))).toEqual([
      expect.objectContaining({
        name: '/demo/docker/k3s-certificate-end/rancher',
        type: 'String',
        value: NOT_REPORTED,
        lifecycle: { ignore_changes: ['value'] },
      }),
    ]);
    expect(dataSources(json, 'aws_ssm_parameters_by_path')[name]).toMatchObject({ path: '/demo/docker/k3s-certificate-end', with_decryption: false });
    expect(assertion).not.toHaveProperty('data');
  });

  it('holds with no report, before the first report, and with 31 days left; warns in the last 30 days and once ended', () => {
    const [none, notYet, in31, in29, ended] = outcomes(
      undefined,
      NOT_REPORTED,
      '2026-12-24T00:00:00Z',
      '2026-12-22T00:00:00Z',
      '2026-11-20T00:00:00Z',
    );
    expect([none, notYet, in31]).toEqual([null, null, null]);
    expect(in29).toBe(
      'The K3s certificates inside the rancher container end less than 30 days from now (2026-12-22T00:00:00Z, as the host reports it under ' +
        '/demo/docker/k3s-certificate-end), although the host restarts the container to renew them 60 days ahead: the renewal did not run or did not work. ' +
        'On the host (aws ssm start-session --target <instance_id>): journalctl -u rancher-aws-k3s-cert-renewal says why; docs/day-2.md, "Docker stack lifetimes".',
    );
    expect(ended).toContain('less than 30 days from now (2026-11-20T00:00:00Z,');
  });
});
