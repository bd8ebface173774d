import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resources } from '../../helpers/synth';
import { describeWithTerraform, terraformOk } from '../../helpers/terraform';
import { synth } from './first-login.setup';

describe('FirstLogin', () => {
  describe('with a CA read from the cluster (pinCaCert)', () => {
    const { json: pinned } = synth({ caCertPem: '${var.ca}', pinCaCert: true });
    const [[pinName, pin]] = Object.entries(resources(pinned, 'terraform_data'));

    describeWithTerraform('planned by terraform (terraform_data needs no provider)', () => {
      it('is known to the provider in a plan where the read it pins is deferred, and in the plan that creates it', () => {
        const dir = mkdtempSync(join(tmpdir(), 'rancher-pin-'));
        const terraform = (...args: string[]) => terraformOk(dir, ...args);
        // What the provider would be configured with in a plan (a stand-in: its configuration is not in the plan).
        const seen = (release: string) => {
          terraform('plan', '-input=false', '-var', `release=${release}`, '-out', 'plan');
          const plan = JSON.parse(terraform('show', '-json', 'plan'));
          const change = (address: string) => plan.resource_changes.find((c: { address: string }) => c.address === address).change;
          return {
            read: change('terraform_data.read').actions,
            pin: change(`terraform_data.${pinName}`).actions,
            provider: change('terraform_data.provider').after.input ?? 'unknown',
          };
        };
        try {
          // The synthesized pin, its input a stand-in for the deferred read: replaced whenever var.release changes.
          writeFileSync(
            join(dir, 'main.tf.json'),
            JSON.stringify({
              variable: { release: { type: 'string' } },
              resource: {
                terraform_data: {
                  read: { input: 'CA PEM', triggers_replace: '${var.release}' },
                  [pinName]: { ...pin, input: '${terraform_data.read.output}' },
                  provider: { input: pinned.provider!.rancher2[0].ca_certs },
                },
              },
            }),
          );
          terraform('init', '-input=false');
          terraform('apply', '-auto-approve', '-input=false', '-var', 'release=1');
          // An upgrade: the read is deferred, the pin stays, the provider knows the CA.
          expect(seen('2')).toEqual({ read: ['delete', 'create'], pin: ['no-op'], provider: 'CA PEM' });
          // A deployment whose first login came before the pin: created now, known (a terraform_data's output would not be).
          terraform('state', 'rm', `terraform_data.${pinName}`, 'terraform_data.provider');
          expect(seen('1')).toEqual({ read: ['no-op'], pin: ['create'], provider: 'CA PEM' });
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    });
  });
});
