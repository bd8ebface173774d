// Tools tier (jest.config.js, project "tools"): runs once before its test files. The tier needs terraform, the user
// data validators and bash; without one of them it stops here, naming what is missing and where it comes from,
// instead of failing (or skipping) test by test. The unit tier (npm test) needs none of them.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

/** The oldest terraform the synthesized modules declare (required_version) and the tests can stand on. */
const TERRAFORM_FLOOR = [1, 10];

const TERRAFORM_WHERE =
  'Install Terraform >= 1.10 on PATH: HashiCorp publishes it (releases.hashicorp.com, or their apt repository); the npm and Debian ' +
  'registries do not carry it, so .ci/run cannot install it and expects the machine image to have it (these machines: /usr/local/bin/terraform).';

/** The terraform problem, or undefined when a terraform >= 1.10 runs. */
function terraformProblem() {
  const result = spawnSync('terraform', ['version', '-json'], {
    encoding: 'utf8',
    env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' },
  });
  if (result.error || result.status !== 0) return `no terraform runs (${result.error?.message ?? result.stderr.trim()}). ${TERRAFORM_WHERE}`;
  const version = JSON.parse(result.stdout).terraform_version;
  const [major, minor] = version.split('.').map(Number);
  if (major < TERRAFORM_FLOOR[0] || (major === TERRAFORM_FLOOR[0] && minor < TERRAFORM_FLOOR[1])) {
    return `terraform >= ${TERRAFORM_FLOOR.join('.')} is needed; the one on PATH is ${version}. ${TERRAFORM_WHERE}`;
  }
  return undefined;
}

/** The Debian packages .ci/run installs, by the command each provides. */
// `script` (util-linux) runs the operations CLI on a pseudo-terminal, as a person types into it.
const DEBIAN = { 'cloud-init': 'cloud-init', shellcheck: 'shellcheck', yamllint: 'yamllint', bash: 'bash', python3: 'python3', script: 'bsdutils' };

function missingCommands() {
  return Object.keys(DEBIAN).filter((command) => spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0);
}

/**
 * The fake cluster's real parts (__tests__/helpers/fake-cluster): Debian's etcd and etcdctl, and Debian's kubectl,
 * found where the tests look for it (never on PATH, where Google's package puts its own).
 */
function fakeClusterProblems() {
  const problems = [];
  const { ETCD, ETCDCTL } = require('./fake-cluster/etcd');
  const missingEtcd = [
    [ETCD, '--version'],
    [ETCDCTL, 'version'],
  ]
    .filter(([path, flag]) => spawnSync(path, [flag]).status !== 0)
    .map(([path]) => path);
  if (missingEtcd.length > 0)
    problems.push(`no real etcd at ${missingEtcd.join(', ')}: install Debian's etcd-server and etcd-client with apt-get (.ci/run does).`);
  const { DEBIAN_KUBECTL_PLACES } = require('./fake-cluster/kubectl');
  const kubectl = process.env.DEBIAN_KUBECTL || DEBIAN_KUBECTL_PLACES.find((p) => require('node:fs').existsSync(p));
  const version = kubectl && spawnSync(kubectl, ['version', '--client', '--short'], { encoding: 'utf8' });
  if (!version || version.status !== 0)
    problems.push(
      `no Debian kubectl (looked at ${[process.env.DEBIAN_KUBECTL, ...DEBIAN_KUBECTL_PLACES].filter(Boolean).join(', ')}): ` +
        'apt-get download kubernetes-client, then dpkg-deb -x kubernetes-client_*.deb .tools/kubernetes-client (.ci/run does; apt-get install ' +
        "fails where Google's kubectl package owns /usr/bin/kubectl), or set DEBIAN_KUBECTL to its path.",
    );
  return problems;
}

module.exports = function globalSetup() {
  const problems = [...fakeClusterProblems()];
  const terraform = terraformProblem();
  if (terraform) problems.push(terraform);
  const missing = missingCommands();
  if (missing.length > 0) {
    problems.push(
      `missing on PATH: ${missing.join(', ')}. Install them with apt-get (Debian packages: ${missing.map((c) => DEBIAN[c]).join(' ')}); .ci/run does.`,
    );
  }
  if (problems.length > 0)
    throw new Error(`npm run test:tools needs the tools it runs:\n- ${problems.join('\n- ')}\nThe unit tier (npm test) needs none of them.`);
  // The stack texts its files synthesize, shared between them as in the unit tier (synth-share.ts; the same
  // defaults recur in most files); unit-teardown.js removes the folder.
  require('./unit-setup')();
  // The compiled app, built here once rather than by every test file that runs it at the same moment (jest
  // transforms this TypeScript require as it does the test files').
  require('./app-process').compiledMain();
  // The operations CLI as `npm run roll|teardown` runs it (scripts/build.js cli), bundled once for the tier into its
  // shared folder rather than by each of the files that run it (fake-cloud.ts opsCli; about 0.35 s of CPU a build).
  const cli = join(process.env.RANCHER_TEST_SYNTH_SHARE, 'ops-cli');
  const build = spawnSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'build.js'), 'cli', cli], {
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`building the operations CLI failed:\n${build.stdout}${build.stderr}`);
  process.env.RANCHER_TEST_OPS_CLI = join(cli, 'main.js');
  // The fake AWS endpoint the bundled CLI's SDK clients reach in the end-to-end runs (fake-cloud.ts useFakeAwsEndpoint),
  // bundled once for the tier as the CLI is.
  const endpoint = join(process.env.RANCHER_TEST_SYNTH_SHARE, 'fake-aws-endpoint', 'server.js');
  require('./fake-aws-endpoint/build').buildFakeAwsEndpoint(endpoint);
  process.env.RANCHER_TEST_FAKE_AWS_ENDPOINT = endpoint;
};
