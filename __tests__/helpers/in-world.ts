import { join } from 'node:path';
import type { FakeCloud } from './fake-cloud';
import { useTerraformBinary } from '../../cli/shared/terraform';

/**
 * Runs `step`, a command driven as a function in this process, from the world's folder: terraform and curl are the
 * world's stubs (PATH), the world named (FAKE_WORLD), polls at once; `env` added. The folder and the whole environment
 * are put back after it; what the step added to `process.env` is returned for the test to see (`leftInEnvironment`).
 */
export async function inWorld<T>(
  c: FakeCloud,
  env: Readonly<Record<string, string>>,
  step: () => Promise<T>,
): Promise<{ result: T; leftInEnvironment: Record<string, string | undefined> }> {
  const before = { ...process.env };
  const cwd = process.cwd();
  useTerraformBinary(join(c.bin, 'terraform'));
  Object.assign(process.env, { PATH: `${c.bin}:${before.PATH}`, FAKE_WORLD: c.dir, RANCHER_HA_AWS_POLL_MS: '0', ...env });
  const names = new Set(Object.keys(process.env));
  process.chdir(c.dir);
  try {
    const result = await step();
    const leftInEnvironment = Object.fromEntries(
      Object.keys(process.env)
        .filter((k) => !names.has(k))
        .map((k) => [k, process.env[k]]),
    );
    return { result, leftInEnvironment };
  } finally {
    process.chdir(cwd);
    for (const key of Object.keys(process.env)) if (!(key in before)) delete process.env[key];
    Object.assign(process.env, before);
  }
}
