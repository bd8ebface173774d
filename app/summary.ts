import { isAbsolute, relative } from 'node:path';
import { DEPLOYER_IP_URL } from '../lib/common/private/admin-networks';
import { DEFAULT_SETTINGS_FILE } from './config/load';
import { varPlaceholder } from '../lib/synth/module-readme';
import type { OutputFormat } from '../lib/synth/output-format';
import { STACK_FILE, type StackOutput } from '../lib/synth/stack-output';
import { VERSION } from '../lib/synth/version';

/** A path as the person who ran the synth would type it. */
function shown(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/**
 * The lowest Node.js CDK Terrain's CLI runs on (cdktn-cli 0.24.0's `engines.node`, `>=22.19.0`; scripts/cdktf.js refuses
 * below it, and a test holds the two together): below it the synth offers plain Terraform only.
 */
export const CLI_MINIMUM_NODE = '22.19.0';

/** Whether `version` (a Node.js version, `22.23.3`) is at least CLI_MINIMUM_NODE. */
export function runsTheCli(version: string): boolean {
  const have = version.replace(/^v/, '').split('.').map(Number);
  const need = CLI_MINIMUM_NODE.split('.').map(Number);
  for (let i = 0; i < need.length; i++) if ((have[i] ?? 0) !== need[i]) return (have[i] ?? 0) > need[i];
  return true;
}

/**
 * What a successful synth prints: the version, the settings file read (or
 * that none was), each stack's folder, and the commands that come next for
 * the first stack, with the variables that still need a value (those the
 * settings file left out). The CLI's deploy is offered only on a Node.js it runs on (`node`, the running one's).
 */
export function synthSummary(
  outputs: readonly StackOutput[],
  format: OutputFormat,
  settingsSource: string | undefined,
  cwd: string = process.cwd(),
  node: string = process.versions.node,
): string {
  const width = Math.max(...outputs.map((o) => o.stack.length));
  const lines = [
    settingsSource === undefined
      ? `Settings: none read (no ${DEFAULT_SETTINGS_FILE} here, RANCHER_CONFIG unset): every default`
      : `Settings: ${settingsSource}`,
    `rancher-ha-aws ${VERSION}: ${outputs.length} Terraform root module${outputs.length === 1 ? '' : 's'} (${STACK_FILE[format]}, Terraform >= 1.10):`,
    ...outputs.map((o) => `  ${o.stack.padEnd(width)}  ${shown(o.directory, cwd)}`),
  ];
  const [first] = outputs;
  if (first) {
    const required = Object.entries(first.variables).filter(([, v]) => !('default' in v));
    // Placeholders, never example.com: the variables refuse documentation domains, as the settings do.
    const vars = required.filter(([, v]) => !v.sensitive).map(([name]) => varPlaceholder(name));
    const secrets = required.filter(([, v]) => v.sensitive).map(([name]) => `TF_VAR_${name}`);
    lines.push(
      runsTheCli(node)
        ? `Next: npm run cdktf -- deploy ${first.stack}, or plain Terraform in the stack's folder:`
        : `Next: plain Terraform in the stack's folder (npm run cdktf needs Node.js >= ${CLI_MINIMUM_NODE}; this is ${node}):`,
      `  cd ${shown(first.directory, cwd)} && terraform init && terraform plan${vars.join('')}`,
    );
    if (secrets.length > 0) lines.push(`  (with ${secrets.join(', ')} set from your secret store)`);
  }
  const lookedUp = outputs.filter(
    (o) => Array.isArray(o.variables.admin_cidrs?.default) && (o.variables.admin_cidrs.default as unknown[]).length === 0,
  );
  if (lookedUp.length > 0) {
    lines.push(
      `adminCidrs is empty (${lookedUp.map((o) => o.stack).join(', ')}): each plan admits this machine's public address, as ${DEPLOYER_IP_URL} answers it, to the Kubernetes API and SSH.`,
      "  Behind a NAT with several public addresses (a pool) that is one of them at random: set adminCidrs to the NAT's range (the plan stops if two lookups differ).",
    );
  }
  // A stack whose apply waits for the API through its admin networks warns at each plan when this machine is outside a
  // list it was given (check deployer_address_in_admin_cidrs); said here too, before the first plan.
  for (const o of outputs) {
    const given = o.variables.admin_cidrs?.default;
    if (!Array.isArray(given) || given.length === 0 || !o.variables.check_deployer_address) continue;
    lines.push(
      `adminCidrs is set (${o.stack}): the apply reaches the Kubernetes API (6443) from this machine, so its public address must be inside ${given.join(', ')};`,
      `  each plan looks it up (${DEPLOYER_IP_URL}) and warns when it is not (check_deployer_address = false: no lookup).`,
    );
  }
  return `${lines.join('\n')}\n`;
}
