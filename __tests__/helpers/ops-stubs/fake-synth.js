#!/usr/bin/env node
// The app's synth as the drill runs it (RANCHER_HA_AWS_SYNTH), for the fake world: it keeps the settings file it
// was given ($FAKE_WORLD/drill-settings-seen.json) and writes the throwaway's module from
// $FAKE_WORLD/throwaway.cdk.tf.json (a real synth of those settings, made by the test) into $CDKTF_OUTDIR; a
// failback's synth (into failback.out/) writes $FAKE_WORLD/failback.cdk.tf.json where the test made one, so the
// standby's module stays the failover's own in a world that fails over again after a failback (a real synth writes
// the module of the settings it is given: production's for the failback, the standby's for the failover).
// world.drill.signalAt { phase: 'synth' } sends the signal to the drill first; after any signal but SIGKILL it
// waits (bounded) for the drill to stop it, as a long synth would be stopped.
'use strict';
const { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { createHash } = require('node:crypto');
const { join } = require('node:path');

const dir = process.env.FAKE_WORLD;
appendFileSync(join(dir, 'calls.jsonl'), `${JSON.stringify({ tool: 'synth', args: [process.env.RANCHER_CONFIG, process.env.CDKTF_OUTDIR] })}\n`);
const worldFile = join(dir, 'world.json');
const world = JSON.parse(readFileSync(worldFile, 'utf8'));
const at = world.drill.signalAt;
if (at && at.phase === 'synth') {
  delete world.drill.signalAt;
  // Written beside and renamed over, as every writer of the world does (the stub server knows a file it read by its identity).
  writeFileSync(`${worldFile}.${process.pid}`, JSON.stringify(world));
  renameSync(`${worldFile}.${process.pid}`, worldFile);
  process.kill(process.ppid, at.signal);
  // The drill stops this synth with SIGTERM (the default action ends it here); 3,000 looks at most.
  if (at.signal !== 'SIGKILL') for (let i = 0; i < 3000; i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
}
if (world.drill.synthFails) {
  process.stderr.write('settings.json: rkeHa.nodeCount: expected 1, 2 or 3\n');
  process.exit(3);
}
copyFileSync(process.env.RANCHER_CONFIG, join(dir, 'drill-settings-seen.json'));
// The stack of the module (world.drill.synthStack: a k8s-ha failover's standby), as the real synth writes every stack.
const stack = world.drill.synthStack ?? 'rke-ha';
const folder = join(process.env.CDKTF_OUTDIR, 'stacks', stack);
mkdirSync(folder, { recursive: true });
const failback = join(dir, 'failback.cdk.tf.json');
if (/\/failback\.out(\/|$)/.test(process.env.CDKTF_OUTDIR) && existsSync(failback)) {
  // The failback's module was synthesized once for world.failback.moduleFile: its restore (the file and the Restore's
  // name, lib/rancher/backup-objects.ts inPlaceRestoreName) rendered for the file these settings restore instead.
  const file = JSON.parse(readFileSync(process.env.RANCHER_CONFIG, 'utf8')).backups?.restoreFrom?.file;
  const made = world.failback?.moduleFile;
  const restoreName = (f) => `rancher-aws-restore-${createHash('sha256').update(f).digest('hex').slice(0, 10)}`;
  const text = readFileSync(failback, 'utf8');
  const rendered = file && made && file !== made ? text.split(made).join(file).split(restoreName(made)).join(restoreName(file)) : text;
  writeFileSync(join(folder, 'cdk.tf.json'), rendered);
} else copyFileSync(join(dir, 'throwaway.cdk.tf.json'), join(folder, 'cdk.tf.json'));
process.stdout.write(`Synthesized ${stack}.\n`);
