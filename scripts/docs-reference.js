#!/usr/bin/env node
// npm run docs:settings / docs:commands: writes docs/settings.md from the settings schema (scripts/settings-reference.ts)
// or docs/commands.md from the operations commands' help (scripts/commands-reference.ts), each bundled with esbuild
// as the app is.
const { writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');

const PAGES = {
  settings: { source: 'settings-reference.ts', page: 'settings.md', write: (m, root) => m.settingsReference(root) },
  commands: { source: 'commands-reference.ts', page: 'commands.md', write: (m) => m.commandsReference() },
};
const which = PAGES[process.argv[2]];
if (!which) {
  process.stderr.write(`usage: node scripts/docs-reference.js ${Object.keys(PAGES).join(' | ')}\n`);
  process.exit(2);
}
const root = join(__dirname, '..');
const out = join(root, 'node_modules', '.cache', `rancher-${which.source.replace(/\.ts$/, '.js')}`);
mkdirSync(join(out, '..'), { recursive: true });
require('esbuild').buildSync({
  absWorkingDir: root,
  entryPoints: [join(__dirname, which.source)],
  bundle: true,
  ...require('./esbuild-options').ESBUILD_NODE,
  external: ['typescript'],
  outfile: out,
});
// The bundle sits in node_modules/.cache: the sources it reads are found from the repository root.
writeFileSync(join(root, 'docs', which.page), which.write(require(out), root));
process.stdout.write(`docs/${which.page} written\n`);
