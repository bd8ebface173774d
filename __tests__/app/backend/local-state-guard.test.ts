import { localStateGuard } from '../../../app/backend/local-state-guard';
import { synthSettings } from '../../helpers/variants';

describe('localStateGuard', () => {
  it('checks, on the default local path, the .backup every synth creates beside the state; nothing with S3', () => {
    expect(localStateGuard('rke-ha', { type: 'local' })?.condition).toBe('${fileexists("${path.module}/../../../terraform.rke-ha.tfstate.backup")}');
    expect(localStateGuard('rke-ha', { type: 's3', bucket: 'b', key: 'rancher/<stack>.tfstate' })).toBeUndefined();
  });

  it('writes a path from the settings as a literal (template characters escaped)', () => {
    const guard = localStateGuard('docker', { type: 'local', path: '../state/${x}-<stack>.tfstate' })!;
    expect(guard.condition).toBe('${fileexists("${path.module}/../state/$${x}-docker.tfstate.backup")}');
    expect(guard.errorMessage).toContain('../state/$${x}-docker.tfstate.backup');
  });

  it.each(['rke-ha', 'k8s-ha', 'docker'] as const)('%s: guards its rancher_url output with it (local state by default)', (stack) => {
    const { json } = synthSettings(stack, {});
    const output = (json.output as Record<string, { precondition?: { condition: string }[] }>).rancher_url;
    expect(output.precondition).toEqual([
      expect.objectContaining({ condition: `\${fileexists("\${path.module}/../../../terraform.${stack}.tfstate.backup")}` }),
    ]);
  });
});
