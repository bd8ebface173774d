import { DEPLOYMENT_RECORD_FORMAT } from '../../../lib/common/deployment-record-format';
import { ChoiceNeeded, readDeploymentRecord, readDeploymentRecords, type Deployment } from '../../../cli/shared/module-folder';
import type { ModuleState } from '../../../cli/shared/terraform';
import { REGION, stateOf } from '../../helpers/fake-cloud';
import { synthLibrary, type LibraryModule } from '../../helpers/library-modules';
import type { TerraformJson } from '../../helpers/synth';
import { synthSettings } from '../../helpers/variants';

/** `terraform state pull` of the module after an apply, as cli/shared/terraform.ts reads it. */
function moduleState(json: TerraformJson, change?: (raw: any) => void): ModuleState {
  const raw = stateOf(json);
  change?.(raw);
  return {
    outputs: raw.outputs,
    resources: raw.resources.map((r: any) => ({
      address: `${r.mode === 'data' ? 'data.' : ''}${r.type}.${r.name}`,
      mode: r.mode,
      type: r.type,
      name: r.name,
      attributes: r.instances[0].attributes,
    })),
  };
}
const withoutRecord = (raw: any) => {
  raw.resources = raw.resources.filter((r: any) => !/(^|_)deployment-record(_[0-9A-F]{8})?$/.test(r.name));
};
/** What a deployment names, the way it was found aside (construct path and the guard's keys differ in form). */
const named = (d: Deployment) => {
  const { source: _s, path: _p, guardRecords, ...rest } = d;
  return { ...rest, guardRecords: Object.values(guardRecords).sort() };
};

const MODULES: [string, () => TerraformJson][] = [
  ['app rke-ha', () => synthSettings('rke-ha', {}).json],
  ['app rke-ha K3s', () => synthSettings('rke-ha', { rkeHa: { distribution: 'k3s' } } as never).json],
  ['app docker', () => synthSettings('docker', {}).json],
  ['app k8s-ha', () => synthSettings('k8s-ha', {}).json],
  ...(['id rancher', 'nested', 'nested K3s'] as LibraryModule[]).map((m): [string, () => TerraformJson] => [
    `library ${m}`,
    () => synthLibrary(m).platform,
  ]),
  ['library two in one stack', () => synthLibrary('two in one stack').platform],
];

describe('readDeploymentRecords: the deployments of a module, from its state', () => {
  it.each(MODULES)('%s: the record, and the same found from the addresses of a module applied before records existed', (_name, json) => {
    const records = readDeploymentRecords(moduleState(json()));
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) expect(r.source).toBe('record');
    // Each record carries the id Terraform gave its terraform_data at creation, which tells it from a later deployment.
    const state = moduleState(json());
    for (const r of records)
      expect(r.recordId).toBe(state.resources.find((s) => s.type === 'terraform_data' && s.attributes.id === r.recordId)?.attributes.id);
    for (const r of records) expect(r.recordId).toMatch(/\S/);
    const fromAddresses = readDeploymentRecords(moduleState(json(), withoutRecord));
    for (const r of fromAddresses) expect(r.source).toBe('addresses');
    const byName = (list: Deployment[]) => list.map(named).sort((a, b) => String(a.name).localeCompare(String(b.name), 'en'));
    // k8s-ha's guard records no name or region: found aside, it has no name (the teardown refuses k8s-ha before
    // asking for one), and the region of the ARNs in the state (the fake state's are all in REGION).
    // Without a record there is no record id.
    const expected = byName(records).map(({ recordId: _id, ...r }) => (r.kind === 'k8s-ha' ? { ...r, name: undefined, region: REGION } : r));
    expect(byName(fromAddresses)).toEqual(expected);
  });

  it('a record of a format this version does not know stops the command, naming it', () => {
    const json = synthSettings('rke-ha', {}).json;
    const state = moduleState(json, (raw) => {
      const record = raw.resources.find((r: any) => r.name === 'deployment-record').instances[0].attributes;
      record.input = { value: record.input.replace(DEPLOYMENT_RECORD_FORMAT, 'rancher-ha-aws/deployment-record/9'), type: 'string' };
    });
    expect(() => readDeploymentRecords(state)).toThrow(
      'terraform_data.deployment-record is a deployment record in the format rancher-ha-aws/deployment-record/9, which this version of rancher-ha-aws does not know',
    );
  });

  it('reads the input as the state writes a dynamic value ({ value, type })', () => {
    const state = moduleState(synthLibrary('nested').platform, (raw) => {
      for (const r of raw.resources)
        if (r.type === 'terraform_data') r.instances[0].attributes.input = { value: r.instances[0].attributes.input, type: 'string' };
    });
    expect(readDeploymentRecords(state).map((d) => [d.name, d.source, d.path])).toEqual([['acme', 'record', 'platform/rancher']]);
  });
});

describe('readDeploymentRecord: the one deployment a command acts on', () => {
  const two = () => moduleState(synthLibrary('two in one stack').platform);

  it('the only one, without --deployment', () => {
    expect(readDeploymentRecord(moduleState(synthLibrary('id rancher').platform)).name).toBe('acme');
  });

  it('two in the module: asks which, by name or construct path', () => {
    expect(() => readDeploymentRecord(two())).toThrow(ChoiceNeeded);
    expect(() => readDeploymentRecord(two())).toThrow(
      'This module holds 2 deployments: acme (rke-ha, construct rancher), demo (docker, construct demo). Name the one to act on with --deployment <name>.',
    );
    expect(readDeploymentRecord(two(), 'demo').kind).toBe('docker');
    expect(readDeploymentRecord(two(), 'rancher').name).toBe('acme');
    expect(() => readDeploymentRecord(two(), 'nope')).toThrow('--deployment nope: no such deployment in this module');
  });
});
