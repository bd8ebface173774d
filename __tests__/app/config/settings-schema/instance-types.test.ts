import { settingsProblems } from '../../../helpers/synth';

describe('rkeHa.instanceType and docker.instanceType in a settings file', () => {
  it.each([
    [{ rkeHa: { instanceType: 't3.micro' } }, 'rkeHa.instanceType', /below Rancher's smallest documented server size/],
    [{ rkeHa: { instanceType: 'm6i.xlarg' } }, 'rkeHa.instanceType', /did you mean m6i\.xlarge\?/],
    [{ rkeHa: { instanceType: 'm7g.xlarge' } }, 'rkeHa.instanceType', /Graviton/],
    [{ rkeHa: { distribution: 'k3s', instanceType: 'm6i.large' } }, 'rkeHa.instanceType', /below/],
    [{ docker: { instanceType: 't3.small' } }, 'docker.instanceType', /below Rancher's smallest documented Docker install/],
    [{ docker: { instanceType: 'm6i.larg' } }, 'docker.instanceType', /did you mean m6i\.large\?/],
    [{ rkeHa: { architecture: 'arm64' } }, 'rkeHa.instanceType', /^is an x86_64 type, and rkeHa\.architecture is arm64/],
    [
      { rkeHa: { architecture: 'x86_64', amiId: 'ami-0123456789abcdef0', instanceType: 'm7g.xlarge' } },
      'rkeHa.instanceType',
      /rkeHa\.architecture is x86_64/,
    ],
    [{ docker: { architecture: 'arm64' } }, 'docker.instanceType', /^is an x86_64 type, and docker\.architecture is arm64/],
  ])('refuses %j at %s', (input, field, message) => {
    expect(settingsProblems(input)).toEqual([{ field, message: expect.stringMatching(message), value: expect.any(String) }]);
  });

  it.each([
    { rkeHa: { instanceType: 't3.large', allowSmallInstanceType: true } },
    { rkeHa: { instanceType: 'm7g.xlarge', amiId: 'ami-0123456789abcdef0' } },
    { rkeHa: { instanceType: 'm7i.metal-24xl' } },
    { docker: { instanceType: 't3.medium' } },
    { docker: { instanceType: 't3.micro', allowSmallInstanceType: true } },
    { rkeHa: { architecture: 'arm64', instanceType: 'm7g.xlarge' } },
    { rkeHa: { architecture: 'arm64', instanceType: 'm8g.2xlarge', operatingSystem: 'rhel-9' } },
    { docker: { architecture: 'arm64', instanceType: 'm7g.large' } },
  ])('accepts %j', (input) => {
    expect(settingsProblems(input)).toEqual([]);
  });
});
