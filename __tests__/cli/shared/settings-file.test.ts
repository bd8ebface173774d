import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { productionSettingsPath, readProductionSettings } from '../../../cli/shared/settings-file';

// Production's settings file, as the drill and the acceptance run read it to shape their throwaways.
describe("production's settings file", () => {
  it('is the one the app reads: RANCHER_CONFIG, else rancher.yaml in the working directory', () => {
    expect(productionSettingsPath({}, '/work/prod')).toBe('/work/prod/rancher.yaml');
    expect(productionSettingsPath({ RANCHER_CONFIG: 'conf/prod.yaml' }, '/work/prod')).toBe('/work/prod/conf/prod.yaml');
    expect(productionSettingsPath({ RANCHER_CONFIG: '/etc/rancher.yaml' }, '/work/prod')).toBe('/etc/rancher.yaml');
  });

  it('is read as the app reads it (YAML 1.2, no aliases), a missing file as every default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'settings-file-'));
    try {
      writeFileSync(join(dir, 'rancher.yaml'), 'name: prod\nregion: eu-west-1\nrancher:\n  replicas: 2\n');
      expect(readProductionSettings(join(dir, 'rancher.yaml'))).toEqual({ name: 'prod', region: 'eu-west-1', rancher: { replicas: 2 } });
      writeFileSync(join(dir, 'alias.yaml'), 'a: &x {b: 1}\nc: *x\n');
      expect(() => readProductionSettings(join(dir, 'alias.yaml'))).toThrow();
      writeFileSync(join(dir, 'list.yaml'), '- a\n');
      expect(() => readProductionSettings(join(dir, 'list.yaml'))).toThrow('does not hold a mapping');
      expect(readProductionSettings(join(dir, 'missing.yaml'))).toEqual({});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
