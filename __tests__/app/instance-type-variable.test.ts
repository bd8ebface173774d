import { synthSettings } from '../helpers/variants';

describe('instance_type as a pipeline knob', () => {
  it('k8s-ha has none: it creates no instance', () => {
    expect(synthSettings('k8s-ha', {}).json.variable!.instance_type).toBeUndefined();
  });
});

describe('instance_type with architecture arm64', () => {
  // The stacks pass the variable as the construct's instanceType: the construct checks its section with a Graviton
  // stand-in for the reference, not the x86_64 default (which the rules would refuse with arm64).
  it.each([
    ['rke-ha', { rkeHa: { architecture: 'arm64', instanceType: 'm7g.xlarge', operatingSystem: 'rocky-9' } }, 'm7g.xlarge'],
    ['docker', { docker: { architecture: 'arm64', instanceType: 'm7g.large' } }, 'm7g.large'],
  ] as const)('%s synthesizes with the Graviton type as the default of its variable, which the instances use', (stack, input, type) => {
    const { json } = synthSettings(stack, input);
    const variable = json.variable!.instance_type as { default: string; validation: { error_message: string }[] };
    expect(variable.default).toBe(type);
    expect(variable.validation[1].error_message).toContain("arm64 (the section's architecture)");
  });
});

describe('instance_type with a pinned image and no architecture', () => {
  // The variable's validation holds plan-time types to the settings' type's architecture; the servers' release follows it.
  const releases = (text: string) => [...new Set(text.match(/rke2\.linux-[a-z0-9]+\.tar\.gz/g))];

  it("rke-ha's servers on a Graviton type install the arm64 release, the type's architecture, as the variable allows only arm64 types", () => {
    const { json, text } = synthSettings('rke-ha', { rkeHa: { amiId: 'ami-0123456789abcdef0', instanceType: 'm7g.xlarge' } });
    expect(releases(text)).toEqual(['rke2.linux-arm64.tar.gz']);
    const variable = json.variable!.instance_type as { validation: { error_message: string }[] };
    expect(variable.validation[1].error_message).toContain("arm64 (the settings' instance type's");
  });

  it('on an x86_64 type they install the amd64 release', () => {
    const { text } = synthSettings('rke-ha', { rkeHa: { amiId: 'ami-0123456789abcdef0', instanceType: 'm7i.xlarge' } });
    expect(releases(text)).toEqual(['rke2.linux-amd64.tar.gz']);
  });
});
