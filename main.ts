import { App } from 'cdktf';
import { SettingsError } from './lib/config/errors';
import { loadSettings } from './lib/config/load';
import type { Settings } from './lib/config/schema';
import { takeOutputFormat, writeStackOutput } from './lib/synth/stack-output';
import { synthSummary } from './lib/synth/summary';
import { DOCKER_STACK, DockerStack } from './stacks/docker';
import { K8S_HA_STACK, K8sHaStack } from './stacks/k8s-ha';
import { RKE_HA_STACK, RkeHaStack } from './stacks/rke-ha';

// Settings are validated before the App exists, so a mistake writes nothing to cdktf.out.
function settingsOrExit(): Settings {
  try {
    return loadSettings();
  } catch (error) {
    if (error instanceof SettingsError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

const format = takeOutputFormat();
const settings = settingsOrExit();
const app = new App();
const stacks = [new RkeHaStack(app, RKE_HA_STACK, settings), new K8sHaStack(app, K8S_HA_STACK, settings), new DockerStack(app, DOCKER_STACK, settings)];
app.synth();
process.stdout.write(synthSummary(writeStackOutput(app.outdir, stacks, format), format));
