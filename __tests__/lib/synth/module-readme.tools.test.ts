import { join } from 'node:path';
import { runBounded } from '../../helpers/subprocess';
import { testEnv } from '../../helpers/test-env';

// The HCL module's README (lib/synth/module-readme.ts) lists the module's variables in one order whatever the
// locale of the machine that synthesizes it: a release's module archives carry it, and their sums are meant to
// depend on the files alone. String.prototype.localeCompare without a locale takes the process's default, which
// Node.js reads from LANG and LC_ALL at start: in Lithuanian "y" sorts between "i" and "j" (ICU's collation for lt),
// so an unset locale wrote `ia_zone, ya_zone, ja_zone` on such a machine. A process of its own, as the locale is
// read once at its start; the module is loaded through the suite's transform (scripts/jest-transform.js).

const ROOT = join(__dirname, '..', '..', '..');
const SCRIPT = `
const { readFileSync } = require('node:fs');
const transform = require(${JSON.stringify(join(ROOT, 'scripts', 'jest-transform.js'))});
require.extensions['.ts'] = (module, file) => module._compile(transform.process(readFileSync(file, 'utf8'), file).code, file);
const { moduleReadme } = require(${JSON.stringify(join(ROOT, 'lib', 'synth', 'module-readme.ts'))});
const variable = { ya_zone: { type: 'string' }, ja_zone: { type: 'string' }, ia_zone: { type: 'string' } };
const text = moduleReadme({ stack: 'rke-ha', file: 'cdk.tf', json: { variable }, writtenBy: 'rancher-ha-aws', hasAssets: false });
process.stdout.write(JSON.stringify({ locale: new Intl.Collator().resolvedOptions().locale, rows: text.split('\\n').filter((l) => /^\\| \`\\w+_zone\`/.test(l)).map((l) => /\`(\\w+)\`/.exec(l)[1]) }));
`;

function readmeUnder(locale: string): { locale: string; rows: string[] } {
  const result = runBounded(process.execPath, ['-e', SCRIPT], { cwd: ROOT, env: testEnv({ LC_ALL: locale, LANG: locale }) });
  if (result.status !== 0) throw new Error(`the README script failed under ${locale}:\n${result.stderr}`);
  return JSON.parse(result.stdout) as { locale: string; rows: string[] };
}

describe("the module README's variables", () => {
  it.each(['C.UTF-8', 'en_US.UTF-8', 'lt_LT.UTF-8', 'et_EE.UTF-8'])('are in the same order under %s', (locale) => {
    const under = readmeUnder(locale);
    expect(under.rows).toEqual(['ia_zone', 'ja_zone', 'ya_zone']);
    // The process did take the locale (ICU reads it from the environment, installed or not).
    if (locale.startsWith('lt')) expect(under.locale).toBe('lt-LT');
  });
});
