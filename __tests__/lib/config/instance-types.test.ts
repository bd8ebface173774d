import {
  DOCKER_HOST_MINIMUM,
  INSTANCE_FAMILIES,
  INSTANCE_TYPES,
  RANCHER_SERVER_MINIMUM,
  acceptedInstanceTypes,
  instanceTypeProblem,
} from '../../../lib/config/instance-types';
import { INSTANCE_TYPE_FORMAT } from '../../../lib/config/primitives';
import { countSteps } from '../../helpers/steps';

const SERVER = { minimum: RANCHER_SERVER_MINIMUM, allowSmall: false, architecture: 'x86_64' } as const;

describe('the instance type table', () => {
  it.each([
    // AWS's specifications, a few per family kind and architecture.
    ['m6i.xlarge', 4, 16, 'x86_64'],
    ['m7i.metal-48xl', 192, 768, 'x86_64'],
    ['m6a.metal', 192, 768, 'x86_64'],
    ['m5.metal', 96, 384, 'x86_64'],
    ['m7a.medium', 1, 4, 'x86_64'],
    ['m8i.96xlarge', 384, 1536, 'x86_64'],
    ['c6i.2xlarge', 8, 16, 'x86_64'],
    ['r7i.large', 2, 16, 'x86_64'],
    ['m7g.xlarge', 4, 16, 'arm64'],
    ['m6g.metal', 64, 256, 'arm64'],
    ['c7g.medium', 1, 2, 'arm64'],
    ['r8g.metal-24xl', 96, 768, 'arm64'],
    ['t3.micro', 2, 1, 'x86_64'],
    ['t3a.xlarge', 4, 16, 'x86_64'],
    ['t4g.nano', 2, 0.5, 'arm64'],
  ] as const)('%s: %d vCPU, %d GiB, %s', (type, vcpus, memoryGib, architecture) => {
    expect(INSTANCE_TYPES.get(type)).toEqual({ vcpus, memoryGib, architecture });
  });

  it.each(['m6i.medium', 'm5a.metal', 'm7i.32xlarge', 'm6g.24xlarge', 't3.4xlarge', 'm6i.xlarg', 'm6.xlarge'])(
    'holds no %s (EC2 has none)',
    (type) => {
      expect(INSTANCE_TYPES.has(type)).toBe(false);
    },
  );

  it('names every type in the form the settings take, each family with sizes', () => {
    for (const type of INSTANCE_TYPES.keys()) expect(type).toMatch(INSTANCE_TYPE_FORMAT);
    for (const family of INSTANCE_FAMILIES) expect([...INSTANCE_TYPES.keys()].some((t) => t.startsWith(`${family}.`))).toBe(true);
  });
});

/** Names a section's setting as a settings file does (`rkeHa.amiId`). */
const inFile = (section: string) => (field: string) => `${section}.${field}`;

describe('instanceTypeProblem', () => {
  it('takes the defaults and larger x86_64 types', () => {
    for (const type of ['m6i.xlarge', 'm7i.2xlarge', 'c6i.2xlarge', 'r6i.xlarge', 't3.xlarge'])
      expect(instanceTypeProblem(type, SERVER, inFile('rkeHa'))).toBeUndefined();
    expect(instanceTypeProblem('m6i.large', { ...SERVER, minimum: DOCKER_HOST_MINIMUM }, inFile('docker'))).toBeUndefined();
  });

  it('refuses a type EC2 does not have, with the near one and the sizes of its family', () => {
    expect(instanceTypeProblem('m6i.xlarg', SERVER, inFile('rkeHa'))).toBe(
      'is not an EC2 instance type (did you mean m6i.xlarge?): m6i comes in large, xlarge, 2xlarge, 4xlarge, 8xlarge, 12xlarge, 16xlarge, 24xlarge, 32xlarge, metal',
    );
    expect(instanceTypeProblem('x9z.large', SERVER, inFile('rkeHa'))).toMatch(
      /^is not an EC2 instance type of the families this project knows: m5, m5a, /,
    );
  });

  it("refuses a type below Rancher's smallest size unless allowed, naming types that fit", () => {
    expect(instanceTypeProblem('t3.micro', SERVER, inFile('rkeHa'))).toBe(
      "has 2 vCPU and 1 GiB, below Rancher's smallest documented server size (4 vCPU, 16 GiB); choose m6i.xlarge, m7i.xlarge, m7a.xlarge or larger, or set rkeHa.allowSmallInstanceType: true for a trial that may run out of memory",
    );
    expect(instanceTypeProblem('c6i.xlarge', SERVER, inFile('rkeHa'))).toMatch(/^has 4 vCPU and 8 GiB, below/);
    expect(instanceTypeProblem('t3.micro', { ...SERVER, allowSmall: true }, inFile('rkeHa'))).toBeUndefined();
    expect(instanceTypeProblem('t3.small', { ...SERVER, minimum: DOCKER_HOST_MINIMUM }, inFile('docker'))).toMatch(
      /below Rancher's smallest documented Docker install \(1 vCPU, 4 GiB\)/,
    );
  });

  it('refuses Graviton with the default amd64 image, and takes it with a pinned image', () => {
    expect(instanceTypeProblem('m7g.xlarge', SERVER, inFile('rkeHa'))).toMatch(
      /^is a Graviton \(arm64\) type, .* set rkeHa\.architecture: arm64 \(or pin an arm64 image with rkeHa\.amiId\)$/,
    );
    expect(instanceTypeProblem('m7g.xlarge', { ...SERVER, architecture: undefined }, inFile('rkeHa'))).toBeUndefined();
  });

  it('holds the type to the architecture the section names, both ways', () => {
    const arm = { ...SERVER, architecture: 'arm64' } as const;
    expect(instanceTypeProblem('m7g.xlarge', arm, inFile('rkeHa'), true)).toBeUndefined();
    expect(instanceTypeProblem('m6i.xlarge', arm, inFile('rkeHa'), true)).toBe(
      'is an x86_64 type, and rkeHa.architecture is arm64 (Graviton), whose image it cannot boot; choose a Graviton type such as m7g.xlarge, or set rkeHa.architecture: x86_64',
    );
    expect(instanceTypeProblem('m7g.large', { ...SERVER, minimum: DOCKER_HOST_MINIMUM }, inFile('docker'), true)).toBe(
      'is a Graviton (arm64) type, and docker.architecture is x86_64, whose image it cannot boot; choose an x86_64 type such as m7i.large, or set docker.architecture: arm64',
    );
    // Below the minimum: the examples are of the type's own architecture.
    expect(instanceTypeProblem('t4g.medium', arm, inFile('rkeHa'), true)).toMatch(/choose m7g\.xlarge, m8g\.xlarge or larger/);
  });

  it('accepts for the Terraform variable exactly what the settings accept', () => {
    const accepted = acceptedInstanceTypes(SERVER);
    expect(accepted).toContain('m6i.xlarge');
    expect(accepted).not.toContain('t3.micro');
    expect(accepted).not.toContain('m7g.xlarge');
    expect(acceptedInstanceTypes({ ...SERVER, architecture: undefined, allowSmall: true })).toHaveLength(INSTANCE_TYPES.size);
    expect(acceptedInstanceTypes({ ...SERVER, architecture: 'arm64' })).toEqual(expect.arrayContaining(['m7g.xlarge', 'm8g.xlarge']));
    expect(acceptedInstanceTypes({ ...SERVER, architecture: 'arm64' })).not.toContain('m6i.xlarge');
  });

  const RULES = [RANCHER_SERVER_MINIMUM, DOCKER_HOST_MINIMUM].flatMap((minimum) =>
    [false, true].flatMap((allowSmall) => (['x86_64', 'arm64', undefined] as const).map((architecture) => ({ minimum, allowSmall, architecture }))),
  );

  it.each(RULES)('accepts exactly the types instanceTypeProblem passes (%o)', (rules) => {
    const passed = [...INSTANCE_TYPES.keys()].filter((type) => instanceTypeProblem(type, rules, inFile('rkeHa')) === undefined).sort();
    expect(acceptedInstanceTypes(rules)).toEqual(passed);
  });

  // Every synth of rke-ha and docker asks for the list: it checks each type of the table once and sorts the
  // accepted ones, without wording a refusal for each type it leaves out (n log n steps, not n² log n).
  it.each(RULES)('lists them in about n log n steps for n types in the table (%o)', (rules) => {
    const n = INSTANCE_TYPES.size;
    const { steps } = countSteps(() => acceptedInstanceTypes(rules), 4 * n * Math.log2(n));
    expect(steps).toBeGreaterThanOrEqual(n);
  });
});
