import { REPLACED_CONSTRUCT_RULES, constructRulesOfFile } from '../../../app/config/settings-rules';
import * as deploymentRules from '../../../lib/config/deployment-rules';
import * as dockerRules from '../../../lib/config/docker-rules';
import * as k8sHaRules from '../../../lib/config/k8s-ha-rules';
import * as rkeHaRules from '../../../lib/config/rke-ha-rules';

// The settings file runs each construct's rules over its section (app/config/settings-rules.ts); a rule added to a
// construct's list and not to the file's would let the file accept what the construct then refuses at synth, in the
// construct's words instead of the file's.

/** The exported name of each rule, for messages that say which one. */
const NAMES = new Map<unknown, string>(
  [deploymentRules, dockerRules, k8sHaRules, rkeHaRules].flatMap((module) => Object.entries(module).map(([name, value]) => [value, name] as const)),
);
const named = (rules: readonly unknown[]) => rules.map((rule) => NAMES.get(rule) ?? '(a rule no module exports)');

const CONSTRUCT_LISTS = [
  ['RancherOnRke', rkeHaRules.RANCHER_ON_RKE_RULES],
  ['RancherOnExistingCluster', k8sHaRules.RANCHER_ON_EXISTING_CLUSTER_RULES],
  ['RancherOnDocker', dockerRules.RANCHER_ON_DOCKER_RULES],
] as const;

describe.each(CONSTRUCT_LISTS)("%s's rules in the settings file", (_construct, rules) => {
  it('are each run by the file, or named with what takes their place', () => {
    const inFile = new Set(constructRulesOfFile());
    expect(named(rules.filter((rule) => !inFile.has(rule) && !REPLACED_CONSTRUCT_RULES.has(rule)))).toEqual([]);
  });
});

describe('the settings file', () => {
  const everyConstructRule = new Set<unknown>(CONSTRUCT_LISTS.flatMap(([, rules]): readonly unknown[] => rules));

  it('runs only constructs’ rules besides the ones that span its sections', () => {
    expect(named(constructRulesOfFile().filter((rule) => !everyConstructRule.has(rule)))).toEqual([]);
  });

  it('runs no construct rule twice', () => {
    const runs = constructRulesOfFile();
    expect(named(runs.filter((rule, i) => runs.indexOf(rule) !== i))).toEqual([]);
  });

  it('names as replaced only rules a construct has and the file does not run', () => {
    const inFile = new Set(constructRulesOfFile());
    const stale = [...REPLACED_CONSTRUCT_RULES.keys()].filter((rule) => !everyConstructRule.has(rule) || inFile.has(rule));
    expect(named(stale)).toEqual([]);
  });
});
