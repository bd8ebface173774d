#!/usr/bin/env node
// The app's synth as the acceptance run calls it (RANCHER_HA_AWS_SYNTH), for the fake world: it keeps every
// settings file it was given ($FAKE_WORLD/acceptance-settings-seen.jsonl) and writes the module from a real synth the
// test made: $FAKE_WORLD/acceptance.cdk.tf.json for the run's deployment (its run id `zzzzzz` replaced by the one of
// the settings), $FAKE_WORLD/throwaway.cdk.tf.json for the drill's throwaway (an output folder under drill/).
// world.acceptance.failAt / signalAt act on it as on the other stubs (fake-acceptance.js).
'use strict';
const { appendFileSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
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
  writeFileSync(worldFile, JSON.stringify(world, null, 1));
  process.kill(process.ppid, signal);
}
if (a.failAt === phase) {
  process.stderr.write('settings.json: injected failure of the synth\n');
  process.exit(3);
}
const drill = process.env.CDKTF_OUTDIR.includes('/drill/');
const folder = join(process.env.CDKTF_OUTDIR, 'stacks', 'rke-ha');
mkdirSync(folder, { recursive: true });
const runId = settings.tags['rancher-ha-aws:acceptance-run'];
const text = readFileSync(join(dir, drill ? 'throwaway.cdk.tf.json' : 'acceptance.cdk.tf.json'), 'utf8');
writeFileSync(join(folder, 'cdk.tf.json'), text.replaceAll(RUN_ID_PLACEHOLDER, runId));
process.stdout.write('Synthesized rke-ha.\n');
