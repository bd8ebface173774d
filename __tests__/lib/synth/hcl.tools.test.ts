import { terraformJsonToHcl, type HclSchema } from '../../../lib/synth/hcl';
import { describeWithTerraform, initConfiguration, PROVIDER_DOWNLOAD_ERROR } from '../../helpers/terraform';

/** A provider schema given as the paths that are blocks. */
const schema = (...blocks: string[]): HclSchema => ({ isBlock: (path) => blocks.includes(path.join('/')) });

describeWithTerraform('terraformJsonToHcl output, loaded by terraform', () => {
  it('is a configuration terraform init accepts', () => {
    const hcl = terraformJsonToHcl(
      {
        terraform: { required_providers: { http: { source: 'hashicorp/http', version: '3.5.0' } }, required_version: '>= 1.10' },
        variable: { h: { type: 'string', validation: [{ condition: '${length(var.h) > 0}', error_message: 'empty' }] } },
        data: {
          http: {
            ping: {
              url: 'https://${var.h}/ping',
              lifecycle: { postcondition: [{ condition: '${self.status_code == 200}', error_message: 'down' }] },
            },
          },
        },
        output: { code: { value: '${data.http.ping.status_code}', description: 'HTTP ${status}' } },
        check: {
          api: {
            data: { http: { api: { url: 'https://${var.h}:6443' } } },
            assert: [{ condition: '${data.http.api.status_code == 401}', error_message: 'answered ${data.http.api.status_code}' }],
          },
        },
      },
      schema(),
    );
    const outcome = initConfiguration({ 'main.tf': hcl });
    expect(outcome.errors).toEqual([PROVIDER_DOWNLOAD_ERROR]);
    expect(outcome.configurationLoaded).toBe(true);
  });
});
