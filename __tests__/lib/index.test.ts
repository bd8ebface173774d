import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Construct } from 'constructs';
import * as lib from '../../lib';

const ROOT = join(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, { default?: string } | string> };
/** Each entry point of `exports` as its source module (dist/lib/x/index.js -> lib/x/index.ts). */
const entryPoints = Object.entries(pkg.exports)
  .filter(([, entry]) => typeof entry === 'object' && entry.default)
  .map(([subpath, entry]) => ({
    subpath,
    source: join(ROOT, (entry as { default: string }).default.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts')),
  }));

/** The values an entry point may give besides constructs: the few functions and constants an app of its own needs. */
const NOT_CONSTRUCTS: Record<string, readonly string[]> = {
  // metricWith: a metric read another way (CDK's Metric.with), for addAlarm.
  './common': ['configureBaseProviders', 'metricWith'],
  './config': ['DEFAULT_VERSIONS', 'SettingsError'],
  // The status metric of a Route53 health check of the app's own, in the Route53 region of its partition (addAlarm).
  './dns': ['healthCheckStatusMetric'],
  './synth': ['constructWarnings', 'takeOutputFormat', 'writeStackOutput'],
  // The factories of an existing network's VPC and subnets, which RancherOnRke's and RancherOnDocker's props take.
  '.': ['ExistingSubnet', 'ExistingVpc'],
  './deployments': ['ExistingSubnet', 'ExistingVpc'],
  './network': ['ExistingSubnet', 'ExistingVpc'],
};

const isConstructClass = (value: unknown) => typeof value === 'function' && value.prototype instanceof Construct;

describe('the package entry points', () => {
  it('give the three Rancher deployments at the root, and nothing else at run time but the existing network factories', () => {
    expect(Object.keys(lib).sort()).toEqual(['ExistingSubnet', 'ExistingVpc', 'RancherOnDocker', 'RancherOnExistingCluster', 'RancherOnRke']);
  });

  it.each(entryPoints.map((e) => [e.subpath, e.source]))('%s gives constructs, and only the functions an app needs besides', (subpath, source) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const values = require(source) as Record<string, unknown>;
    expect(Object.keys(values).length).toBeGreaterThan(0);
    const others = Object.keys(values).filter((name) => !isConstructClass(values[name]));
    expect(others.sort()).toEqual([...(NOT_CONSTRUCTS[subpath] ?? [])].sort());
  });
});
