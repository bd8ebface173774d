#!/usr/bin/env node
// npm run test:mutation [-- <group>... | --mutate <files or globs>] [--all-tests] [other Stryker options]
//
// Stryker over the modules that decide safety (docs/development.md, "Mutation testing"), a group at a time or all of
// them. A group names the files it mutates and the unit test files that hold them (its `tests`); a mutant counts as
// killed only when one of those tests fails. The stacks' whole-synth tests are left out of the groups on purpose: each
// mutant of a module every synth reaches would run hundreds of synths. `--all-tests` runs every unit test file that
// imports the mutated files instead (jest's findRelatedTests): the thorough figure, at many times the cost.
// `--mutate a.ts,b.ts` names files (globs, or Stryker's `file.ts:10-20` ranges) instead of groups, tried against the
// tests of every group that holds them, else every related unit test file. Further options go to Stryker
// (`--concurrency 1`). Run it niced on a shared machine: `nice -n 10 npm run test:mutation -- lease`.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
const { readFileSync } = require('node:fs');

/** The groups: what each mutates, and the unit test files that hold it. */
const GROUPS = {
  lease: { mutate: ['cli/shared/lease.ts'], tests: ['__tests__/cli/**/*.test.ts'] },
  versions: {
    mutate: ['lib/config/versions.ts', 'lib/config/release-sums.ts', 'lib/kubernetes/private/upgrade-rules.ts'],
    tests: [
      '__tests__/lib/config/versions.test.ts',
      '__tests__/lib/config/release-sums.test.ts',
      '__tests__/lib/kubernetes/upgrade-rules.test.ts',
      '__tests__/lib/kubernetes/kubernetes-upgrade.test.ts',
      '__tests__/app/config/settings-schema/versions.test.ts',
    ],
  },
  cidr: {
    mutate: ['lib/config/cidr.ts'],
    tests: [
      '__tests__/lib/config/cidr.test.ts',
      '__tests__/lib/network/security-group-rules.test.ts',
      '__tests__/app/config/settings-schema/vpc.test.ts',
    ],
  },
  rules: {
    mutate: ['lib/config/*-rules.ts'],
    tests: ['__tests__/lib/config/*.test.ts', '__tests__/app/config/**/*.test.ts', '__tests__/lib/deployments/construct-messages.test.ts'],
  },
  guard: {
    mutate: ['lib/common/deployment-guard.ts', 'lib/common/deployment-record.ts', 'lib/common/deployment-record-format.ts'],
    tests: ['__tests__/lib/common/deployment-guard.test.ts', '__tests__/lib/common/deployment-record.test.ts'],
  },
  roll: { mutate: ['cli/roll/*.ts'], tests: ['__tests__/cli/**/*.test.ts'] },
  rotate: { mutate: ['cli/rotate/*.ts'], tests: ['__tests__/cli/**/*.test.ts'] },
  teardown: { mutate: ['cli/teardown/*.ts'], tests: ['__tests__/cli/**/*.test.ts'] },
  'resolve-props': { mutate: ['lib/deployments/private/resolve-props.ts'], tests: ['__tests__/lib/deployments/**/*.test.ts'] },
};

/** A group's glob (`*` within one folder, as the groups write them) as a test on a path. */
const globMatches = (glob, path) => new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`).test(path);

/** CPU seconds of this process's waited-for children and theirs (Linux: /proc/self/stat's cutime and cstime). */
function childrenCpuSeconds() {
  const fields = readFileSync('/proc/self/stat', 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

function usage(problem) {
  console.error(
    `${problem}\nnpm run test:mutation -- [<group>...] [--mutate <files>] [--all-tests] [Stryker options]\n` +
      `groups: ${Object.entries(GROUPS)
        .map(([name, group]) => `${name} (${group.mutate.join(', ')})`)
        .join('; ')}`,
  );
  process.exit(2);
}

const args = process.argv.slice(2);
const groups = [];
const mutate = [];
const passed = [];
let allTests = false;
for (let i = 0; i < args.length; i++) {
  const word = args[i];
  if (word === '--all-tests') allTests = true;
  else if (word === '--mutate' || word === '-m') mutate.push(...(args[++i] ?? usage('--mutate needs files.')).split(','));
  else if (word.startsWith('--mutate=')) mutate.push(...word.slice('--mutate='.length).split(','));
  else if (word.startsWith('-'))
    passed.push(word, ...(args[i + 1] !== undefined && !args[i + 1].startsWith('-') && !(args[i + 1] in GROUPS) ? [args[++i]] : []));
  else if (word in GROUPS) groups.push(word);
  else usage(`Unknown group ${word}.`);
}
const chosen = groups.length === 0 && mutate.length === 0 ? Object.keys(GROUPS) : groups;
const files = [...chosen.flatMap((name) => GROUPS[name].mutate), ...mutate];
// The tests of the groups named, and of every group holding a file named by --mutate; none (every related unit
// test file) for a file no group holds, or with --all-tests.
const holding = mutate.map((file) =>
  Object.values(GROUPS).filter((group) => group.mutate.some((glob) => globMatches(glob, file.replace(/:.*$/, '')))),
);
const tests =
  allTests || holding.some((held) => held.length === 0)
    ? []
    : [...new Set([...chosen.map((name) => GROUPS[name]), ...holding.flat()].flatMap((group) => group.tests))];

// The run's report folder under reports/mutation/: its groups' names, or `files` for --mutate.
const run = mutate.length > 0 ? 'files' : chosen.join('+');
const env = { ...process.env, RANCHER_MUTATION_TESTS: tests.join(','), RANCHER_MUTATION_RUN: run };
// The synth share is per run of a tier; a mutation run has none (jest.mutation.config.js says why).
delete env.RANCHER_TEST_SYNTH_SHARE;
console.error(
  `test:mutation: mutating ${files.join(', ')}; tests: ${tests.length > 0 ? tests.join(', ') : 'every unit test file that imports them'}.`,
);
const stryker = join(__dirname, '..', 'node_modules', '.bin', 'stryker');
const start = Date.now();
const result = spawnSync(stryker, ['run', 'stryker.config.js', '--mutate', files.join(','), ...passed], {
  cwd: join(__dirname, '..'),
  stdio: 'inherit',
  env,
});
console.error(
  `test:mutation: ${result.status === 0 ? 'done' : `Stryker exit ${result.status ?? result.signal}`} in ` +
    `${((Date.now() - start) / 1000).toFixed(0)} s of wall time, ${childrenCpuSeconds().toFixed(0)} s of CPU (Stryker and its processes); ` +
    `the report is in reports/mutation/${run}/ (index.html, mutation.json).`,
);
process.exit(result.status ?? 1);
