import { API_CERTIFICATE_WARNING_DAYS, NOT_REPORTED } from '../../../lib/kubernetes/private/api-certificate-check';
import { CERT_RENEW_WITHIN_DAYS } from '../../../lib/kubernetes/private/server-units';
import { dataSources, resources } from '../../helpers/synth';
import { synthCheck } from './api-certificate-check.setup';

const check = (json: any) => json.check.api_serving_certificate;

describe('apiCertificateCheck', () => {
  const { json } = synthCheck();

  it('holds no data source inside the check block (Terraform plans such a read on every plan: never an empty plan)', () => {
    expect(Object.keys(check(json))).toEqual(['assert']);
  });

  it("reads the servers' reports with one top-level data source over their path, not recursive, values as stored", () => {
    const [[name, data]] = Object.entries(dataSources(json, 'aws_ssm_parameters_by_path'));
    expect(data).toMatchObject({ path: '/rancher/demo/api-certificate-end', recursive: false, with_decryption: false });
    expect(check(json).assert[0].condition).toContain(`data.aws_ssm_parameters_by_path.${name}.names`);
    expect(data.depends_on).toBeUndefined();
  });

  it('makes one parameter per server, named by its address, whose value the server writes (ignored after creation)', () => {
    const parameters = Object.values(resources(json, 'aws_ssm_parameter'));
    expect(parameters.map((p: any) => p.name).sort()).toEqual([
      '/rancher/demo/api-certificate-end/10.0.0.10',
      '/rancher/demo/api-certificate-end/10.0.16.10',
    ]);
    for (const p of parameters as any[]) {
      expect(p).toMatchObject({ type: 'String', value: NOT_REPORTED, lifecycle: { ignore_changes: ['value'] } });
      expect(p.overwrite).toBeUndefined();
    }
  });

  it('warns from 60 days before a reported end, naming the servers and what to look at', () => {
    expect(API_CERTIFICATE_WARNING_DAYS).toBe(60);
    // Read from cert-renewal.sh's default; the warning starts only after the renewal should have run.
    expect(CERT_RENEW_WITHIN_DAYS).toBe(80);
    expect(API_CERTIFICATE_WARNING_DAYS).toBeLessThan(CERT_RENEW_WITHIN_DAYS);
    const [assertion] = check(json).assert;
    expect(assertion.condition).toContain('"-1440h"');
    expect(assertion.error_message).toContain('although the servers renew theirs 80 days ahead');
    expect(assertion.error_message).toContain('systemctl status rancher-aws-cert-renewal.timer and journalctl -u rancher-aws-cert-renewal');
    expect(assertion.error_message).toContain('npm run roll -- test --server <name>');
  });
});
