import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localStateGuard } from '../../../app/backend/local-state-guard';
import { protectLocalState } from '../../../app/backend/local-state';
import { describeWithTerraform, terraformIn } from '../../helpers/terraform';

describeWithTerraform('localStateGuard, planned by terraform', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'rancher-state-guard-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** A stack folder with the synthesized backend and the guarded output, as main.ts leaves it in `project`. */
  function synthesizedFolder(project: string): string {
    const folder = join(project, 'cdktf.out', 'stacks', 'rke-ha');
    mkdirSync(folder, { recursive: true });
    const guard = localStateGuard('rke-ha', { type: 'local' })!;
    const config = {
      terraform: { backend: { local: { path: '../../../terraform.rke-ha.tfstate' } } },
      output: {
        rancher_url: { value: 'https://rancher.acme.io', precondition: [{ condition: guard.condition, error_message: guard.errorMessage }] },
      },
    };
    writeFileSync(join(folder, 'main.tf.json'), JSON.stringify(config));
    expect(protectLocalState(join(project, 'cdktf.out'), ['rke-ha'], { type: 'local' }, project)).toEqual([]);
    return folder;
  }

  const plan = (dir: string) => {
    const init = terraformIn(dir, 'init', '-input=false', '-no-color');
    if (init.status !== 0) throw new Error(init.output);
    return terraformIn(dir, 'plan', '-input=false', '-no-color');
  };

  it('plans in the folder the synth wrote, and stops in a copy of it elsewhere before anything is created', () => {
    const folder = synthesizedFolder(join(root, 'project'));
    expect(plan(folder).status).toBe(0);

    const copy = join(root, 'pipeline', 'workspace', 'job', 'rke-ha');
    mkdirSync(join(copy, '..'), { recursive: true });
    cpSync(folder, copy, { recursive: true, filter: (source) => !source.includes('.terraform') });
    const copied = plan(copy);
    expect(copied.status).not.toBe(0);
    expect(copied.output.replace(/\s+/g, ' ')).toContain('No local state beside this folder: ../../../terraform.rke-ha.tfstate.backup');
  });
});
