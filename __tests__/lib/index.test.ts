import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as lib from '../../lib';
import * as deployments from '../../lib/deployments';

const LIB = join(__dirname, '../../lib');
const camel = (folder: string) => folder.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

describe('lib/index.ts', () => {
  // lib/ops is the operations CLI (the package's bin), not a domain of constructs: not re-exported.
  const folders = readdirSync(LIB).filter((f) => statSync(join(LIB, f)).isDirectory() && f !== 'ops');

  it('re-exports every domain folder under its own namespace, and the deployments at the root', () => {
    const namespaces = folders.filter((f) => f !== 'deployments').map(camel);
    expect(Object.keys(lib).sort()).toEqual([...namespaces, ...Object.keys(deployments)].sort());
    expect(typeof lib.RancherOnRke).toBe('function');
    expect(typeof lib.RancherOnExistingCluster).toBe('function');
    expect(typeof lib.RancherOnDocker).toBe('function');
    expect(typeof lib.rancher.RancherServer).toBe('function');
    expect(typeof lib.network.PublicNetwork).toBe('function');
    expect(typeof lib.network.ExistingNetwork).toBe('function');
    expect(typeof lib.config.SettingsError).toBe('function');
  });
});
