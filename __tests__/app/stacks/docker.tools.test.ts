import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SettingsInput } from '../../../app/config/settings-schema';
import { DOCKER_STACK } from '../../../app/stacks/docker';
import { runApp, STACK_TRACE_LINE } from '../../helpers/app-process';
import { only, resources, type TerraformJson, userDataOf } from '../../helpers/synth';
import { STACK_VARIANTS, synthSettings } from '../../helpers/variants';
import { placeholderValue, renderTemplate, validateCloudConfig } from '../../helpers/validators';

function synth(input: SettingsInput | Record<string, unknown> = {}) {
  return synthSettings(DOCKER_STACK, input);
}

/** The host instance, with its plain-text user data (from ServerNode's local) as `user_data`, for reading. */
function host(json: TerraformJson): [string, any] {
  const [name, instance] = only(json, 'aws_instance');
  return [name, { ...instance, user_data: userDataOf(json, instance) }];
}
const ingress = (json: TerraformJson) => Object.values(resources(json, 'aws_vpc_security_group_ingress_rule'));
const portKey = (r: { ip_protocol: string; from_port: number; to_port: number }) => `${r.ip_protocol}/${r.from_port}-${r.to_port}`;

describe('docker stack: main.ts', () => {
  it('synthesizes the docker stack from the settings file, like `cdktf synth`', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rancher-docker-main-'));
    try {
      writeFileSync(join(dir, 'rancher.yaml'), 'docker:\n  tls:\n    issuer: acme\n');
      const run = runApp(dir);
      expect({ status: run.status, stackTrace: STACK_TRACE_LINE.test(run.stderr) }).toEqual({ status: 0, stackTrace: false });
      const synthesized = JSON.parse(readFileSync(join(dir, 'cdktf.out/stacks/docker/cdk.tf.json'), 'utf8')) as TerraformJson;
      expect(ingress(synthesized).map(portKey).sort()).toEqual(['tcp/443-443', 'tcp/80-80']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('docker stack: the host user data, rendered as Terraform would, passes cloud-init schema, yamllint and shellcheck', () => {
  // docker.test.ts reads these files without running the validators (the unit tier starts no process).
  it.each(STACK_VARIANTS.filter((v) => v.stack === DOCKER_STACK).map((v) => [v.name, v.settings] as const))('%s', (_name, input) => {
    const [, instance] = host(synth(input).json);
    expect(validateCloudConfig(renderTemplate(instance.user_data, placeholderValue)).length).toBeGreaterThan(0);
  });
});
