import { NOT_REPORTED } from '../../../lib/kubernetes/private/api-certificate-check';
import { dataSources } from '../../helpers/synth';
import { evaluate, expressionOf } from '../../helpers/terraform';
import { synthCheck } from './api-certificate-check.setup';

describe('apiCertificateCheck evaluated by terraform', () => {
  const { json } = synthCheck();
  const [assertion] = (json as any).check.api_serving_certificate.assert;
  const [name] = Object.keys(dataSources(json, 'aws_ssm_parameters_by_path'));
  const data = `data.aws_ssm_parameters_by_path.${name}`;
  /** The condition and message with the parameters as the data source returns them (values sensitive) and the plan's time. */
  const at = (now: string, reports: Record<string, string>) => {
    const facts = (text: string) =>
      text
        .replaceAll('plantimestamp()', JSON.stringify(now))
        .replaceAll(`${data}.names`, JSON.stringify(Object.keys(reports).map((address) => `/rancher/demo/api-certificate-end/${address}`)))
        .replaceAll(`${data}.values`, `sensitive(${JSON.stringify(Object.values(reports))})`);
    const condition = evaluate(facts(expressionOf(assertion.condition)));
    return { condition, message: condition ? undefined : evaluate(`<<EOT\n${facts(assertion.error_message)}\nEOT`) };
  };
  const NOW = '2026-11-23T00:00:00Z';

  it('holds while every server reports more than 60 days left, and with no report at all (the first plan)', () => {
    expect(at(NOW, { '10.0.0.10': '2027-01-23T00:00:00Z', '10.0.16.10': '2027-11-01T00:00:00Z' }).condition).toBe(true);
    expect(at(NOW, {}).condition).toBe(true);
  });

  it('skips a server that has not reported yet', () => {
    expect(at(NOW, { '10.0.0.10': NOT_REPORTED, '10.0.16.10': '2027-11-01T00:00:00Z' }).condition).toBe(true);
  });

  it("fails from 60 days before one server's end, naming that server by its address and end", () => {
    const { condition, message } = at(NOW, { '10.0.0.10': '2027-11-01T00:00:00Z', '10.0.16.10': '2027-01-21T00:00:00Z' });
    expect(condition).toBe(false);
    expect(message).toContain('less than 60 days from now on 10.0.16.10 (2027-01-21T00:00:00Z) (server addresses');
    expect(message).not.toContain('10.0.0.10');
  });
});
