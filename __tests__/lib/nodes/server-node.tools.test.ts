import { TerraformOutput } from 'cdktf';
import { PEER_ADDRESSES_PATTERN } from '../../../lib/kubernetes/private/node-identity';
import { ServerNode } from '../../../lib/nodes/server-node';
import { resources } from '../../helpers/synth';
import { describeWithTerraform, evaluate, expressionOf } from '../../helpers/terraform';
import { synth, base, upgradedInPlace } from './server-node.setup';

describeWithTerraform('ServerNode.staleAttributes, evaluated by terraform', () => {
  const { json } = synth((stack) => {
    const node = new ServerNode(stack, 'server', { ...base, keyName: 'new-key' });
    new TerraformOutput(stack, 'stale', { value: node.staleAttributes() });
  });
  const [name] = Object.keys(resources(json, 'aws_instance'));
  const local = Object.keys(json.locals!)[0];
  const userData = json.locals![local] as string;
  const hcl = (value: string) => JSON.stringify(value);
  /** The expression with the instance's running attributes (its state) and the local substituted. */
  const stale = (running: Record<string, string>) => {
    let expression = expressionOf(json.output!.stale.value);
    for (const [attribute, value] of Object.entries(running)) expression = expression.replaceAll(`aws_instance.${name}.${attribute}`, value);
    return evaluate(expression.replaceAll(`local.${local}`, hcl(userData)));
  };
  const upToDate = {
    ami: hcl('ami-0123456789abcdef0'),
    user_data_base64: `base64gzip(${hcl(userData)})`,
    instance_type: hcl('m6i.xlarge'),
    key_name: hcl('new-key'),
    subnet_id: hcl('subnet-0aaa'),
    private_ip: hcl('10.0.0.10'),
  };

  it('is empty for a server running what the settings ask for', () => {
    expect(stale(upToDate)).toEqual([]);
  });

  it('names each attribute a running server keeps: a new key, user data, subnet and address (a move to private subnets)', () => {
    expect(stale({ ...upToDate, key_name: hcl('') })).toEqual(['key_name']);
    expect(stale({ ...upToDate, user_data_base64: `base64gzip(${hcl(`${userData}# older\n`)})` })).toEqual(['user_data']);
    expect(stale({ ...upToDate, subnet_id: hcl('subnet-0old'), private_ip: hcl('10.0.128.10') })).toEqual(['subnet_id', 'private_ip']);
  });

  it('shows a server created before the user data was compressed (no user_data_base64 in its state) as pending', () => {
    expect(stale({ ...upToDate, user_data_base64: 'null' })).toEqual(['user_data']);
  });
});

describeWithTerraform('ServerNode.staleAttributes with a version upgraded in place, evaluated by terraform', () => {
  const { NEW, text, json } = upgradedInPlace();
  const OLD = 'v1.35.7+rke2r1';
  const [name] = Object.keys(resources(json, 'aws_instance'));
  const [recordName] = Object.entries(resources(json, 'terraform_data'))[0];
  const local = Object.keys(json.locals!)[0];
  const hcl = (value: string) => JSON.stringify(value);
  /** What the record took when the server was created from `created` (its input, evaluated then). */
  const recorded = (created: string, version: string) => `sha256(replace(${hcl(created)}, ${hcl(version)}, ""))`;
  const stale = (running: { userData: string; record: string }) => {
    let expression = expressionOf(json.output!.stale.value);
    const state: Record<string, string> = {
      ami: hcl(base.amiId),
      user_data_base64: `base64gzip(${hcl(running.userData)})`,
      instance_type: hcl(base.instanceType),
      key_name: hcl(''),
      subnet_id: hcl(base.subnetId),
      private_ip: hcl(base.privateIp),
    };
    for (const [attribute, value] of Object.entries(state)) expression = expression.replaceAll(`aws_instance.${name}.${attribute}`, value);
    expression = expression.replaceAll(`terraform_data.${recordName}.output`, running.record);
    return evaluate(expression.replaceAll(`local.${local}`, hcl(text(NEW))));
  };

  it('does not list user_data for a server created with the old version and upgraded in place', () => {
    expect(stale({ userData: text(OLD), record: recorded(text(OLD), OLD) })).toEqual([]);
  });

  it('still lists user_data when anything else in it changed, with or without a version change', () => {
    expect(stale({ userData: text(OLD, '# older\n'), record: recorded(text(OLD, '# older\n'), OLD) })).toEqual(['user_data']);
    expect(stale({ userData: text(NEW, '# older\n'), record: recorded(text(NEW, '# older\n'), NEW) })).toEqual(['user_data']);
  });

  it('lists user_data for a server older than the record whose user data was not the current one ("held")', () => {
    expect(stale({ userData: text(OLD), record: hcl('held') })).toEqual(['user_data']);
  });
});

describeWithTerraform('ServerNode.staleAttributes with parts a running server does not take (notTaken), evaluated by terraform', () => {
  const VERSION = 'v1.35.7+rke2r1';
  const text = (peers: string, extra = '') =>
    `#cloud-config\nwrite_files:\n  - path: /etc/rancher/bootstrap.env\n    content: |\n      RKE2_VERSION=${VERSION}\n      PEER_IPS="${peers}"\n      NODE_IP="10.0.0.10"\n${extra}`;
  const { json } = synth((stack) => {
    const node = new ServerNode(stack, 'server', {
      ...base,
      userData: text('10.0.16.10 10.0.32.10'),
      upgradedInPlace: VERSION,
      notTaken: [PEER_ADDRESSES_PATTERN],
    });
    new TerraformOutput(stack, 'stale', { value: node.staleAttributes() });
  });
  const [name] = Object.keys(resources(json, 'aws_instance'));
  const [recordName, record] = Object.entries(resources(json, 'terraform_data'))[0];
  const local = Object.keys(json.locals!)[0];
  const hcl = (value: string) => JSON.stringify(value);
  const withState = (expression: string, running: { userData: string; record: string }) => {
    const state: Record<string, string> = {
      ami: hcl(base.amiId),
      user_data_base64: `base64gzip(${hcl(running.userData)})`,
      instance_type: hcl(base.instanceType),
      key_name: hcl(''),
      subnet_id: hcl(base.subnetId),
      private_ip: hcl(base.privateIp),
    };
    for (const [attribute, value] of Object.entries(state)) expression = expression.replaceAll(`aws_instance.${name}.${attribute}`, value);
    return expression.replaceAll(`terraform_data.${recordName}.output`, running.record);
  };
  /** The record's input as this module evaluates it when the server is created from `created`. */
  const recordedBy = (created: string) =>
    hcl(evaluate(withState(expressionOf(record.input), { userData: created, record: 'null' }).replaceAll(`local.${local}`, hcl(created))) as string);
  const stale = (running: { userData: string; record: string }) =>
    evaluate(withState(expressionOf(json.output!.stale.value), running).replaceAll(`local.${local}`, hcl(text('10.0.16.10 10.0.32.10'))));

  it('does not list user_data for the first server of a deployment grown from 1 server (its peers were none)', () => {
    expect(stale({ userData: text(''), record: recordedBy(text('')) })).toEqual([]);
  });

  it('does not list it for a server recorded before the rule (only the version blanked) whose peers are unchanged', () => {
    const older = text('10.0.16.10 10.0.32.10').replace(VERSION, 'v1.35.5+rke2r1');
    const legacy = `sha256(replace(${hcl(older)}, ${hcl('v1.35.5+rke2r1')}, ""))`;
    expect(stale({ userData: older, record: legacy })).toEqual([]);
  });

  it('still lists user_data when anything else changed, the peers changed or not', () => {
    expect(stale({ userData: text('', '# older\n'), record: recordedBy(text('', '# older\n')) })).toEqual(['user_data']);
    const moved = text('').replace('NODE_IP="10.0.0.10"', 'NODE_IP="10.0.128.10"');
    expect(stale({ userData: moved, record: recordedBy(moved) })).toEqual(['user_data']);
  });
});

describeWithTerraform('ServerNode.staleAttributes with a boot store (the user data a loader), evaluated by terraform', () => {
  const VERSION = 'v1.35.9+rke2r1';
  const OLD = 'v1.35.7+rke2r1';
  const text = (version: string, extra = '') =>
    `#cloud-config\nwrite_files:\n  - path: /etc/rancher/bootstrap.env\n    content: |\n      RKE2_VERSION=${version}\n      PEER_IPS="10.0.16.10"\n${extra}`;
  const store = {
    bucket: 'demo-boot',
    regionalDomainName: 'demo-boot.s3.us-east-1.amazonaws.com',
    region: 'us-east-1',
    kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/demo',
    key: 'server-0.yaml',
  };
  const { json } = synth((stack) => {
    const node = new ServerNode(stack, 'server', {
      ...base,
      userData: text(VERSION),
      bootStore: store,
      upgradedInPlace: VERSION,
      notTaken: [PEER_ADDRESSES_PATTERN],
    });
    new TerraformOutput(stack, 'stale', { value: node.staleAttributes() });
  });
  const [name] = Object.keys(resources(json, 'aws_instance'));
  const [recordName, record] = Object.entries(resources(json, 'terraform_data'))[0];
  const documentLocal = Object.keys(json.locals!).find((l) => l.startsWith('server_user-data_'))!;
  const loaderLocal = Object.keys(json.locals!).find((l) => l.startsWith('server_loader_'))!;
  const loader = json.locals![loaderLocal] as string;
  const hcl = (value: string) => JSON.stringify(value);
  /** `expression` with the instance's state, the record, the loader and the boot document (`document`) filled in. */
  const filled = (expression: string, running: { userData: string; record: string }, document: string) => {
    const state: Record<string, string> = {
      ami: hcl(base.amiId),
      user_data_base64: `base64gzip(${running.userData})`,
      instance_type: hcl(base.instanceType),
      key_name: hcl(''),
      subnet_id: hcl(base.subnetId),
      private_ip: hcl(base.privateIp),
    };
    for (const [attribute, value] of Object.entries(state)) expression = expression.replaceAll(`aws_instance.${name}.${attribute}`, () => value);
    // The loader first: its text names the document's local (its SHA-256), filled in next. Replaced by functions: a
    // replacement string would read the loader's `$${` as a pattern.
    return expression
      .replaceAll(`terraform_data.${recordName}.output`, () => running.record)
      .replaceAll(`local.${loaderLocal}`, () => hcl(loader))
      .replaceAll(`local.${documentLocal}`, () => hcl(document));
  };
  /** The loader as a server created with `document` got it (an HCL expression). */
  const loaderFor = (document: string) => hcl(loader).replaceAll(`local.${documentLocal}`, () => hcl(document));
  /** The record's input as this module evaluates it when the server is created from `document`. */
  const recordedBy = (document: string) =>
    hcl(evaluate(filled(expressionOf(record.input), { userData: loaderFor(document), record: 'null' }, document)) as string);
  const stale = (running: { userData: string; record: string }) => evaluate(filled(expressionOf(json.output!.stale.value), running, text(VERSION)));
  /** What a module whose version was `version` recorded for a server created from `document`, 0.5.0's included. */
  const recordedWith = (document: string, version: string) =>
    `sha256(replace(replace(${hcl(document)}, ${hcl(version)}, ""), ${hcl(`/${PEER_ADDRESSES_PATTERN}/`)}, ""))`;

  it('records the hash of the boot document, not of the loader, and the loader carries the document SHA-256', () => {
    expect(record.input).toContain(`local.${documentLocal}`);
    expect(loader).toContain(`\${sha256(local.${documentLocal})}`);
    expect(loader).toContain(`https://${store.regionalDomainName}/${store.key}`);
  });

  it('is empty for a server created with the loader, and for one whose version was upgraded in place since', () => {
    expect(stale({ userData: loaderFor(text(VERSION)), record: recordedBy(text(VERSION)) })).toEqual([]);
    expect(evaluate(recordedWith(text(VERSION), VERSION))).toBe(JSON.parse(recordedBy(text(VERSION))));
    // Its loader then carried the older document's SHA-256.
    expect(stale({ userData: loaderFor(text(OLD)), record: recordedWith(text(OLD), OLD) })).toEqual([]);
  });

  it('is empty for a server created before the loader (its user data the whole document, its record of that document)', () => {
    // 0.5.0 recorded the document with the version and the peer addresses blanked, as its user data held it.
    const recordedThen = recordedWith;
    expect(stale({ userData: hcl(text(VERSION)), record: recordedThen(text(VERSION), VERSION) })).toEqual([]);
    expect(stale({ userData: hcl(text(OLD)), record: recordedThen(text(OLD), OLD) })).toEqual([]);
    expect(stale({ userData: hcl(text(VERSION, '# older\n')), record: recordedThen(text(VERSION, '# older\n'), VERSION) })).toEqual(['user_data']);
  });

  it('lists user_data when the document changed otherwise: the loader then carries another SHA-256', () => {
    expect(stale({ userData: loaderFor(text(VERSION, '# older\n')), record: recordedBy(text(VERSION, '# older\n')) })).toEqual(['user_data']);
  });
});
