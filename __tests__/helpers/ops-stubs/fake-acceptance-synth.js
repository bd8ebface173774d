#!/usr/bin/env node
// The app's synth as the acceptance run calls it (RANCHER_HA_AWS_SYNTH), for the fake world: it keeps every
// settings file it was given ($FAKE_WORLD/acceptance-settings-seen.jsonl) and writes the modules from real synths the
// test made: $FAKE_WORLD/acceptance.<stack>.cdk.tf.json for the run's deployment of each stack the test synthesized
// (its run id `zzzzzz` replaced by the one of the settings), $FAKE_WORLD/throwaway.cdk.tf.json for the drill's
// throwaway (an output folder under drill/, rke-ha), $FAKE_WORLD/migrate.cdk.tf.json for the rke-ha deployment of
// docker's migrate phase (an output folder under migrate/).
// world.acceptance.failAt / signalAt act on it as on the other stubs (fake-acceptance.js).
'use strict';
const { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.FAKE_WORLD;
appendFileSync(join(dir, 'calls.jsonl'), `${JSON.stringify({ tool: 'synth', args: [process.env.RANCHER_CONFIG, process.env.CDKTF_OUTDIR] })}\n`);
const settings = JSON.parse(readFileSync(process.env.RANCHER_CONFIG, 'utf8'));
appendFileSync(join(dir, 'acceptance-settings-seen.jsonl'), `${JSON.stringify(settings)}\n`);
const worldFile = join(dir, 'world.json');
const world = JSON.parse(readFileSync(worldFile, 'utf8'));
const { current, RUN_ID_PLACEHOLDER } = require('./fake-acceptance-phase.js');
const phase = current(dir)?.phase;
const a = world.acceptance;
if (a.signalAt && a.signalAt.phase === phase) {
  const signal = a.signalAt.signal;
  delete a.signalAt;
  // Written beside and renamed over, as every writer of the world does (the stub server knows a file it read by its identity).
  writeFileSync(`${worldFile}.${process.pid}`, JSON.stringify(world));
  renameSync(`${worldFile}.${process.pid}`, worldFile);
  process.kill(process.ppid, signal);
}
if (a.failAt === phase) {
  process.stderr.write('settings.json: injected failure of the synth\n');
  process.exit(3);
}
const drill = process.env.CDKTF_OUTDIR.includes('/drill/');
const migrate = process.env.CDKTF_OUTDIR.includes('/migrate/');
// The failover phase's commands synthesize into the run's failover/ and failback/ folders (acceptance-failover.ts):
// the standby's module and production's restored from the standby's backup ($FAKE_WORLD/failover.cdk.tf.json,
// failback.cdk.tf.json: acceptance-standby-world.ts).
const failover = /\/acceptance\.out\/[a-z0-9]+\/failover\//.test(process.env.CDKTF_OUTDIR);
const failback = /\/acceptance\.out\/[a-z0-9]+\/failback\//.test(process.env.CDKTF_OUTDIR);
// The failback's settings where fake-failback.js reads them (as fake-synth.js keeps them for the failback's tools world).
if (failover || failback) writeFileSync(join(dir, 'drill-settings-seen.json'), JSON.stringify(settings));
const runId = settings.tags['rancher-ha-aws:acceptance-run'];
const made = drill
  ? [['rke-ha', 'throwaway.cdk.tf.json']]
  : failover || failback
    ? [['rke-ha', failover ? 'failover.cdk.tf.json' : 'failback.cdk.tf.json']]
    : migrate
      ? [['rke-ha', 'migrate.cdk.tf.json']]
      : readdirSync(dir)
          .map((f) => /^acceptance\.([a-z0-9-]+)\.cdk\.tf\.json$/.exec(f))
          .filter(Boolean)
          .map((m) => [m[1], m[0]]);
for (const [stack, file] of made) {
  const folder = join(process.env.CDKTF_OUTDIR, 'stacks', stack);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'cdk.tf.json'), readFileSync(join(dir, file), 'utf8').replaceAll(RUN_ID_PLACEHOLDER, runId));
}
process.stdout.write(`Synthesized ${made.map(([stack]) => stack).join(', ')}.\n`);
