import { configureBaseProviders } from '../../../lib/common/providers';
import { synthConstruct } from '../../helpers/synth';

describe('configureBaseProviders', () => {
  const { json } = synthConstruct((stack) => {
    configureBaseProviders(stack, { region: 'eu-west-1', tags: { 'rancher-aws:deployment': 'acme-rke-ha', team: 'platform', 'cost-center': '42' } });
  });

  it('configures exactly aws, tls, random and http, once each', () => {
    expect(Object.keys(json.provider ?? {}).sort()).toEqual(['aws', 'http', 'random', 'tls']);
    for (const configs of Object.values(json.provider ?? {})) expect(configs).toHaveLength(1);
  });

  it('sets the AWS region and puts the tags on every resource through default_tags', () => {
    expect(json.provider!.aws).toEqual([
      { region: 'eu-west-1', default_tags: [{ tags: { 'rancher-aws:deployment': 'acme-rke-ha', team: 'platform', 'cost-center': '42' } }] },
    ]);
  });

  it('writes no default_tags when the app gives no tags (the deployments tag their own resources)', () => {
    const { json: untagged } = synthConstruct((stack) => configureBaseProviders(stack, { region: 'eu-west-1' }));
    expect(untagged.provider!.aws).toEqual([{ region: 'eu-west-1' }]);
  });

  it('leaves tls, random and http unconfigured (no alias, no settings)', () => {
    expect(json.provider!.tls).toEqual([{}]);
    expect(json.provider!.random).toEqual([{}]);
    expect(json.provider!.http).toEqual([{}]);
  });

  it('requires each provider from the hashicorp namespace (a bare name means hashicorp/<name>)', () => {
    const required = json.terraform.required_providers;
    expect(Object.keys(required).sort()).toEqual(['aws', 'http', 'random', 'tls']);
    for (const name of ['aws', 'http', 'random', 'tls']) expect([name, `hashicorp/${name}`]).toContain(required[name].source);
    for (const name of ['aws', 'http', 'random', 'tls']) expect(required[name].version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('copies the tags, so later changes to the caller’s object do not leak in', () => {
    const tags: Record<string, string> = { a: '1' };
    const { json: copied } = synthConstruct((stack) => {
      configureBaseProviders(stack, { region: 'us-east-1', tags });
      tags.b = '2';
    });
    expect(copied.provider!.aws[0].default_tags).toEqual([{ tags: { a: '1' } }]);
  });

  it('matches the snapshot', () => {
    // The serializer masks provider versions only in documents with a `resource` key; this stack has none.
    expect(json.resource).toBeUndefined();
    expect({ ...json, resource: {} }).toMatchSnapshot();
  });
});
