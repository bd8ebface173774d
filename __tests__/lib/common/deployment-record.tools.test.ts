import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDeploymentRecords } from '../../../cli/shared/module-folder';
import { terraformJsonToHcl } from '../../../lib/synth/hcl';
import { synthLibrary } from '../../helpers/library-modules';
import { describeWithTerraform, terraformIn, terraformOk } from '../../helpers/terraform';
import { synthSettings } from '../../helpers/variants';
import type { TerraformJson } from '../../helpers/synth';

// The deployment record through the real terraform (offline: terraform_data needs no provider): the first apply
// creates it, the second plan of the unchanged module is empty, and the operations read back from the state what the
// construct wrote.
describeWithTerraform('the deployment record in a real state', () => {
  it.each([
    // Every row has three elements: jest takes a test function with one argument more than its row for `done`.
    ["the app's rke-ha stack", () => synthSettings('rke-ha', {}).json, 'json'],
    ['a library module nested in a construct of its own', () => synthLibrary('nested').platform, 'json'],
    ["the app's rke-ha stack, written as HCL (synth --hcl)", () => synthSettings('rke-ha', {}).json, 'hcl'],
  ] as [string, () => TerraformJson, 'json' | 'hcl'][])('%s: created once, then no change; read back as written', (_what, synth, format) => {
    const json = synth();
    const records = Object.fromEntries(Object.entries(json.resource.terraform_data).filter(([name]) => /(^|_)deployment-record(_|$)/.test(name)));
    expect(Object.keys(records)).toHaveLength(1);
    const dir = mkdtempSync(join(tmpdir(), 'deployment-record-'));
    try {
      const module = { terraform: { required_version: '>= 1.10' }, resource: { terraform_data: records } };
      if (format === 'hcl') writeFileSync(join(dir, 'main.tf'), terraformJsonToHcl(module as never, { isBlock: () => false }));
      else writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(module));
      terraformOk(dir, 'init', '-input=false');
      expect(terraformOk(dir, 'apply', '-auto-approve', '-input=false')).toContain('Resources: 1 added, 0 changed, 0 destroyed.');
      const second = terraformIn(dir, 'plan', '-detailed-exitcode', '-input=false');
      expect(second.output).toContain('No changes.');
      expect(second.status).toBe(0);
      // The state as `terraform state pull` prints it (the local backend's file), as cli/shared/terraform.ts reads it.
      const raw = JSON.parse(readFileSync(join(dir, 'terraform.tfstate'), 'utf8'));
      const state = {
        outputs: {},
        resources: raw.resources.map((r: any) => ({
          address: `${r.type}.${r.name}`,
          mode: r.mode,
          type: r.type,
          name: r.name,
          attributes: r.instances[0].attributes,
        })),
      };
      const [input] = Object.values(records).map((r: any) => JSON.parse(r.input.replaceAll('$${', '${')));
      const { format: _format, ...written } = input;
      // The record's id (Terraform's, from the create: what tells two deployments of one name apart) comes with it.
      expect(readDeploymentRecords(state)).toEqual([{ ...written, source: 'record', recordId: expect.any(String) }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
