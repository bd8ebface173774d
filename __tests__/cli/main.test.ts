import { moduleFolder } from '../../cli/shared/module-folder';
import { requireTools } from '../../cli/shared/process';

describe("what the commands' runners check before they start", () => {
  it('names the stacks it knows and says to synthesize when the module is missing', () => {
    expect(() => moduleFolder('rke', undefined, '/nonexistent')).toThrow("Unknown stack 'rke': the stacks are rke-ha, k8s-ha, docker");
    expect(() => moduleFolder('docker', undefined, '/nonexistent')).toThrow(
      '/nonexistent/cdktf.out/stacks/docker holds no synthesized module: run `npm run synth` first',
    );
    expect(() => moduleFolder(undefined, 'pipeline/module', '/nonexistent')).toThrow('--dir pipeline/module: no synthesized module there');
    expect(() => moduleFolder(undefined, undefined)).toThrow('Name the stack');
  });

  it('names every missing tool at once, with where to get it', () => {
    expect(() => requireTools(['terraform', 'kubectl'], '/nonexistent')).toThrow(
      /'terraform' was not found on PATH\. Install Terraform >= 1\.10.*\n'kubectl' was not found on PATH/s,
    );
    expect(() => requireTools(['node'], process.execPath.replace(/\/node$/, ''))).not.toThrow();
  });
});
