import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { SsmParameter } from '@cdktn/provider-aws/lib/ssm-parameter';
import { App, LocalBackend, TerraformStack } from 'cdktf';
import { compressedUpperBound, HELD_ATTRIBUTES, ServerNode, USER_DATA_LIMIT_BYTES } from '../../../lib/nodes/server-node';
import { SERVER_IGNORE_CHANGES } from '../../helpers/replacement';
import { resources } from '../../helpers/synth';
import { describeWithTerraform } from '../../helpers/terraform';
import { synth, base, upgradedInPlace } from './server-node.setup';

describe('ServerNode', () => {
  const { json } = synth((stack) => {
    const parameter = new SsmParameter(stack, 'token', { name: '/demo/token', type: 'SecureString', value: 'x' });
    new ServerNode(stack, 'plain', { ...base, dependsOn: [parameter] });
    new ServerNode(stack, 'with-key', { ...base, name: 'demo-server-1', privateIp: '10.0.16.10', keyName: 'admin-key', publicAddress: true });
  });
  const instances = resources(json, 'aws_instance');
  const byPath = (id: string) => Object.values(instances).find((i) => i['//'].metadata.path === `test/${id}/instance`);
  const plain = byPath('plain');
  const withKey = byPath('with-key');

  it('passes the placement and identity through', () => {
    expect(Object.keys(instances)).toHaveLength(2);
    expect(plain).toMatchObject({
      ami: 'ami-0123456789abcdef0',
      instance_type: 'm6i.xlarge',
      subnet_id: 'subnet-0aaa',
      private_ip: '10.0.0.10',
      vpc_security_group_ids: ['sg-0nodes'],
      iam_instance_profile: 'demo-profile',
      tags: { Name: 'demo-server-0' },
      volume_tags: { Name: 'demo-server-0' },
    });
    expect(withKey.private_ip).toBe('10.0.16.10');
  });

  it('requires IMDSv2 with a hop limit of 1', () => {
    expect(plain.metadata_options).toEqual({
      http_endpoint: 'enabled',
      http_tokens: 'required',
      http_put_response_hop_limit: 1,
      instance_metadata_tags: 'disabled',
    });
  });

  it('has an encrypted gp3 root volume of the given size', () => {
    expect(plain.root_block_device).toEqual({ volume_type: 'gp3', volume_size: 120, encrypted: true, delete_on_termination: true });
  });

  it('asks for a public address only when told: the subnets map none on their own (FSBP EC2.15)', () => {
    expect(plain.associate_public_ip_address).toBe(false);
    expect(withKey.associate_public_ip_address).toBe(true);
  });

  it('sets no SSH key unless one is given', () => {
    expect(plain).not.toHaveProperty('key_name');
    expect(withKey.key_name).toBe('admin-key');
  });

  it('sends the user data gzip-compressed, from a local holding the plain text', () => {
    const local = /^\$\{base64gzip\(local\.([^)]+)\)\}$/.exec(plain.user_data_base64)![1];
    expect(json.locals![local]).toBe('#cloud-config\nruncmd: []\n');
    expect(plain).not.toHaveProperty('user_data');
  });

  it('holds every attribute whose change would replace or restart all servers at once', () => {
    // Replacement: ami, key_name, subnet_id, private_ip (aws provider 6.25); stop/start: user data, instance type.
    expect(HELD_ATTRIBUTES).toEqual(['ami', 'user_data', 'instance_type', 'key_name', 'subnet_id', 'private_ip']);
    // Whether it has a public address goes with the subnet (public or private): held with it.
    expect(plain.lifecycle.ignore_changes).toEqual(SERVER_IGNORE_CHANGES);
    expect(plain.user_data_replace_on_change).toBe(false);
  });

  it('passes depends_on through', () => {
    expect(plain.depends_on).toEqual(['aws_ssm_parameter.token']);
    expect(withKey).not.toHaveProperty('depends_on');
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});

describe('ServerNode user data size', () => {
  it('counts every Terraform reference at 256 bytes and an escaped $${ as text', () => {
    const plain = compressedUpperBound('a'.repeat(1000));
    expect(compressedUpperBound(`${'a'.repeat(1000)}\${aws_lb.x.dns_name}`)).toBeGreaterThan(plain);
    expect(compressedUpperBound(`${'a'.repeat(1000)}$\${HOME}`)).toBeLessThan(plain + 20);
  });

  it('refuses, at synth, user data that EC2 would refuse even compressed, naming the server and the size', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'node-')) });
    const stack = new TerraformStack(app, 'test');
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    new LocalBackend(stack, { path: 'x.tfstate' });
    new ServerNode(stack, 'big', { ...base, userData: randomBytes(20_000).toString('base64') });
    expect(() => app.synth()).toThrow(new RegExp(`demo-server-0 is about \\d+ bytes gzip-compressed; EC2 accepts ${USER_DATA_LIMIT_BYTES}`));
  });
});

describeWithTerraform('ServerNode.staleAttributes with a version upgraded in place, evaluated by terraform', () => {
  const { NEW, json } = upgradedInPlace();
  const [name] = Object.keys(resources(json, 'aws_instance'));
  const [, record] = Object.entries(resources(json, 'terraform_data'))[0];
  const local = Object.keys(json.locals!)[0];

  it('records the user data without the version when the server is created, and never again', () => {
    expect(record.lifecycle.ignore_changes).toEqual(['input']);
    expect(record.triggers_replace).toEqual([`\${aws_instance.${name}.id}`]);
    expect(record.input).toContain(`replace(local.${local}, "${NEW}", "")`);
  });
});
