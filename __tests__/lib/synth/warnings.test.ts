import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { constructWarnings } from '../../../lib/synth/warnings';

describe('constructWarnings', () => {
  // An App makes `<outdir>/stacks` when it is built, so a relative outdir left a folder in the checkout.
  let outdir: string;
  beforeEach(() => {
    outdir = mkdtempSync(join(tmpdir(), 'rancher-warnings-'));
  });
  afterEach(() => rmSync(outdir, { recursive: true, force: true }));

  it("lists each construct warning once, prefixed with its stack's id; info and other metadata are not warnings", () => {
    const app = new App({ outdir });
    for (const id of ['rke-ha', 'docker']) {
      const stack = new TerraformStack(app, id);
      const a = new Construct(stack, 'a');
      Annotations.of(a).addWarning(`careful in ${id}`);
      Annotations.of(new Construct(a, 'b')).addWarning(`careful in ${id}`);
      Annotations.of(stack).addInfo('just so you know');
      a.node.addMetadata('other', 'x');
    }
    expect(constructWarnings(app)).toEqual(['rke-ha: careful in rke-ha', 'docker: careful in docker']);
  });

  it('is empty without warnings', () => {
    const app = new App({ outdir });
    new TerraformStack(app, 'rke-ha');
    expect(constructWarnings(app)).toEqual([]);
  });
});
