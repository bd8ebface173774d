import { join } from 'node:path';
import { build } from 'esbuild';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle options the product's build uses, CommonJS
const { ESBUILD_NODE } = require('../../scripts/esbuild-options.js') as { ESBUILD_NODE: import('esbuild').BuildOptions };
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the CLI build's plugin for the modules it keeps apart
const { cliApart } = require('../../scripts/build.js') as { cliApart: import('esbuild').Plugin };

// The CLI is a program of its own beside the library (docs/development.md): the package's binary runs where only the
// package is installed, so its module graph holds no cdktf, no constructs and no provider binding, and what it takes
// from lib/ is the few modules without imports that hold the names it shares with the stacks, and the text of
// cert-renewal.sh (the roll and the rotations compare the servers' copy with it: cli/shared/renewal-transition.ts).
it('loads no cdktf, constructs or provider module, and from lib/ only the plain-string modules it shares', async () => {
  const { metafile } = await build({
    entryPoints: [join(__dirname, '../../cli/main.ts')],
    bundle: true,
    // As scripts/build.js bundles it (the scripts the CLI runs on a server loaded as text; the modules it loads with
    // import() apart, such as the teardown's AWS side with the SDK, in files of their own).
    ...ESBUILD_NODE,
    plugins: [cliApart],
    supported: { 'dynamic-import': false },
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(metafile.inputs);
  expect(inputs.some((input) => input === 'cli/shared/upgrade-state.ts')).toBe(true);
  expect(inputs.filter((input) => /node_modules\/(cdktf|constructs|@cdktf)\//.test(input))).toEqual([]);
  expect(inputs.filter((input) => input.startsWith('lib/')).sort()).toEqual([
    // A cron schedule's longest gap (no imports beyond the cron parser's): `drill --standby` refuses a copy older than
    // the backup schedule allows.
    'lib/alarms/schedule-window.ts',
    'lib/common/deployment-record-format.ts',
    // The http readiness probes' retry timing (no imports): the failover's RTO model (cli/failover/rto-model.ts) sums
    // their worst case.
    'lib/common/private/http-retry.ts',
    // Terraform's string escaping (no imports), which dns-target.ts's plan-time expressions use.
    'lib/common/terraform-template.ts',
    // The regions and the default one (data, no imports): the standby's check of ARNs in production's region.
    'lib/config/aws-regions.ts',
    'lib/config/backup-file.ts',
    // The five-field cron parser (no imports; the settings field built on it, with zod, is cron-expression.ts).
    'lib/config/cron.ts',
    // The recorded release sums and the pinned versions (data, no imports beyond each other): the acceptance report
    // compares the sums the servers checked with them (cli/acceptance/acceptance-observed.ts).
    // The pin table those versions are read from (data, no imports): the same.
    'lib/config/pins.ts',
    'lib/config/release-sums.ts',
    // The `name` setting's rules (no imports): the drill refuses a throwaway name they refuse, in its dry run too.
    'lib/config/resource-names.ts',
    // The standby region's refusal (imports aws-regions only): the failover's dry run refuses what the synth would.
    'lib/config/standby-region.ts',
    'lib/config/versions.ts',
    // The deploy's wait budgets (data, no imports): the schema's `timeouts.*` defaults and the gates', which the RTO model sums.
    'lib/config/wait-budgets.ts',
    // What a record target is (an AWS load balancer's name and region, an IPv4 address, another name): k8s-ha's failover
    // and failback write the record type the stack would (cli/shared/hostname-record.ts).
    'lib/dns/private/dns-target.ts',
    // k8s-ha's record TTL (data, no imports): the RTO model's wait for resolvers.
    'lib/dns/record-ttl.ts',
    'lib/kubernetes/cert-renewal.sh',
    'lib/kubernetes/object-names.ts',
    // The servers' metric names and the certificate alarm's threshold (a type import only): the acceptance run's metrics phase reads them back.
    'lib/kubernetes/server-metrics.ts',
    // The SSM agent's actions (data): the acceptance run's downstream instance takes commands as the servers do.
    'lib/nodes/ssm-agent-actions.ts',
    // The names of a deployment's backup Secrets (data, no imports): the migrate phase names the docker Rancher's so
    // the rke-ha restore deletes them.
    'lib/rancher/backup-objects.ts',
    // The names of the backups' CA record (data, no imports): the failover checks the CA the standby serves against it.
    'lib/rancher/ca-record.ts',
    // Replication Time Control's 15 minutes (no imports): `drill --standby` allows a copy that much beyond the schedule.
    'lib/standby/replication-time.ts',
    // Where production keeps the standby's facts, state bucket and failover target (strings, no imports): the
    // failover's state backend and its prepare (cli/failover/pilot-light.ts).
    'lib/standby/standby-facts-keys.ts',
  ]);
  // Beyond them, the two libraries it bundles: yaml, and commander (its command line); and package.json's version
  // (--version: esbuild keeps that one property).
  expect(inputs.filter((input) => !/^(lib|cli|node_modules\/(yaml|commander))\//.test(input) && input !== 'package.json')).toEqual([]);
  expect(inputs.some((input) => input.startsWith('node_modules/commander/'))).toBe(true);
});
