import { join } from 'node:path';
import { build } from 'esbuild';

// The package's binary runs where only the package is installed: the CLI's module graph holds no cdktf, no
// constructs and no provider binding (the names it shares with the stacks come from a module without imports).
it('loads no cdktf, constructs or provider module', async () => {
  const { metafile } = await build({
    entryPoints: [join(__dirname, '../../../lib/ops/cli.ts')],
    bundle: true,
    platform: 'node',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(metafile.inputs);
  expect(inputs.some((input) => input.endsWith('lib/ops/upgrade-state.ts'))).toBe(true);
  expect(inputs.filter((input) => /node_modules\/(cdktf|constructs|@cdktf)\//.test(input))).toEqual([]);
});
