// Issue 32.7: the snapshots `npm run roll` takes before each server are outside RKE2's retention; a lifecycle rule of
// the snapshot bucket expires them, on the keys RKE2 gives them in the servers' etcd-s3-folder.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROLL_SNAPSHOT_DAYS } from '../../../lib/kubernetes/snapshot-bucket';
import type { SettingsInput } from '../../../app/config/settings-schema';
import { resources, userDataOf, type TerraformJson } from '../../helpers/synth';
import { renderTemplate } from '../../helpers/validators';
import { synthSettings, RKE_HA_STACK } from '../../helpers/variants';

const synth = (input: SettingsInput): TerraformJson => synthSettings(RKE_HA_STACK, input).json;
const lifecycle = (json: TerraformJson) =>
  Object.entries(resources(json, 'aws_s3_bucket_lifecycle_configuration')).filter(([n]) => n.startsWith('etcd-snapshots_'));
/** The servers' etcd-s3-folder, from server-0's config.yaml. */
function s3Folder(json: TerraformJson): string {
  const server = Object.values(resources(json, 'aws_instance'))[0];
  const files = parse(renderTemplate(userDataOf(json, server), (e) => `value-of-${e}`)).write_files as { path: string; content: string }[];
  return parse(files.find((f) => f.path === '/etc/rancher/rke2/config.yaml')!.content)['etcd-s3-folder'];
}

describe('roll snapshots in the etcd snapshot bucket', () => {
  const json = synth({ name: 'prod' });
  const [[, config]] = lifecycle(json);

  it(`expire ${ROLL_SNAPSHOT_DAYS} days after they were written, snapshot and metadata, in the folder the servers upload to`, () => {
    const folder = s3Folder(json);
    expect(folder).toBe('rke-ha');
    expect(config.rule.slice(1)).toEqual([
      { id: 'expire-roll-snapshots-0', status: 'Enabled', filter: [{ prefix: `${folder}/prod-roll-` }], expiration: [{ days: ROLL_SNAPSHOT_DAYS }] },
      {
        id: 'expire-roll-snapshots-1',
        status: 'Enabled',
        filter: [{ prefix: `${folder}/.metadata/prod-roll-` }],
        expiration: [{ days: ROLL_SNAPSHOT_DAYS }],
      },
    ]);
  });

  it("leave the scheduled snapshots to RKE2's own retention (only their old versions expire, as before)", () => {
    expect(config.rule[0]).toMatchObject({ id: 'expire-old-versions', filter: [{}], noncurrent_version_expiration: [{ noncurrent_days: 30 }] });
    expect(config.rule[0].expiration).toBeUndefined();
    for (const rule of config.rule.slice(1)) expect('rke-ha/etcd-snapshot-server-0-1767225600.zip'.startsWith(rule.filter[0].prefix)).toBe(false);
  });

  it('match the name the roll gives its snapshot (cli/roll/roll.ts: `<deployment name>-roll-<server>-<time>` through rke2 etcd-snapshot save --name)', () => {
    const roll = readFileSync(join(__dirname, '../../../cli/roll/roll.ts'), 'utf8');
    expect(roll).toContain('const snapshot = `${c.name}-roll-${c.server.name}-${stamp()}`;');
    expect(roll).toContain('rke2 etcd-snapshot save --name ${snapshot}');
  });

  it('K3s has no snapshot bucket (its roll snapshots are RDS snapshots; docs/roll.md says how to remove them)', () => {
    expect(lifecycle(synth({ rkeHa: { distribution: 'k3s' } }))).toEqual([]);
  });
});
