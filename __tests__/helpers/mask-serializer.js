// Snapshot serializer for synthesized Terraform (a stack's or a construct's cdk.tf.json, or blockDifference's
// output): one line per Terraform block, `<address> <the block's JSON>` (`resource.aws_instance.server_1 {...}`,
// `variable.instance_type {...}`, `terraform {...}`), in the order cdktf wrote them. A change shows as the changed
// blocks' lines, and a snapshot stays a few hundred lines however large the stack (the JSON pretty-printed was 25,000
// lines over the suite). It masks what churns without a reviewable reason (exact provider versions), so a provider
// bump is one reviewed change in package.json, not noise in every snapshot. Construct-derived names stay: they are
// the public contract the snapshots guard.

/** Keys whose values are maps of type → name → block (one line per block). */
const TYPED = new Set(['resource', 'data']);
/** Keys whose values are maps of name → block. */
const NAMED = new Set(['variable', 'output', 'provider', 'module', 'check', 'import', 'moved', 'removed']);

// The pins of lib/config/pins.ts and the recorded sums of the pinned releases, masked in every line: a pin bump is a
// change to the pin table and the sums table (docs/development.md, "Bumping a pin"), reviewed there, with no snapshot
// churn from a patch (a new minor changes what follows from the line: its Kubernetes range, the minor before it in
// the upgrade rules' messages). Each is replaced by its name (`<pin rke2>`, `<sum rke2 amd64>`, `<order rancher>`).
// What a snapshot guards stays: where each pin goes, and every string but the pinned values.
const { PINS } = require('../../lib/config/pins');
const { RECORDED_SUMS } = require('../../lib/config/release-sums');
const { versionOrder } = require('../../lib/kubernetes/private/upgrade-rules');

function pinMasks() {
  const masks = [];
  for (const [key, pin] of Object.entries(PINS)) {
    masks.push([pin.version, `<pin ${key}>`]);
    // As image tags spell them (RKE2's and K3s' `+` as `-`, Rancher's with a `v`) and release addresses (`+` as `%2B`).
    if (pin.version.includes('+'))
      masks.push([pin.version.replace('+', '-'), `<pin ${key} as a tag>`], [pin.version.replace('+', '%2B'), `<pin ${key} in an address>`]);
    if (/^\d/.test(pin.version)) masks.push([`v${pin.version}`, `v<pin ${key}>`]);
  }
  // The plan-time rules compare versions as numbers (versionOrder: 2.15.2 → 150002).
  for (const [key, kind] of [
    ['rancher', 'rancher'],
    ['certManager', 'certManager'],
    ['rke2', 'kubernetes'],
    ['k3s', 'kubernetes'],
  ])
    masks.push([String(versionOrder(kind, PINS[key].version)), `<order ${kind === 'kubernetes' ? key : kind}>`]);
  for (const distribution of ['rke2', 'k3s']) {
    const release = RECORDED_SUMS[distribution][PINS[distribution].version];
    masks.push([release.installer.url, `<installer ${distribution}>`], [release.installer.sha256, `<sum ${distribution} installer>`]);
    for (const [architecture, file] of Object.entries(release.artifacts)) masks.push([file.sha256, `<sum ${distribution} ${architecture}>`]);
  }
  // Longest first (a version inside an address is masked with the address); a value stands alone, not inside a longer
  // version or word (2.15.2 is not masked in 12.15.2 or 2.15.20).
  return masks
    .sort((a, b) => b[0].length - a[0].length)
    .map(([value, name]) => [new RegExp(`(?<![\\w.])${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w]|\\.\\d)`, 'g'), name]);
}
const MASKS = [
  ...pinMasks(),
  // A gate's release name ends in a hash of what it reruns on (the versions among them), so that a change runs it
  // again: rke-ha-upgrade.test.ts holds which gates a version change reruns.
  [/\b(rancher-aws-[a-z]+(?:-[a-z]+)*)-[0-9a-f]{10}\b/g, '$1-<rerun hash>'],
];
const maskPins = (line) => MASKS.reduce((text, [pattern, name]) => text.replace(pattern, name), line);

function maskVersions(terraform) {
  if (!terraform || !terraform.required_providers) return terraform;
  const providers = Object.fromEntries(Object.entries(terraform.required_providers).map(([name, p]) => [name, { ...p, version: '<masked>' }]));
  return { ...terraform, required_providers: providers };
}

function lines(doc) {
  const out = [];
  for (const [key, value] of Object.entries(doc)) {
    if (TYPED.has(key)) {
      for (const [type, blocks] of Object.entries(value))
        for (const [name, block] of Object.entries(blocks)) out.push(`${key}.${type}.${name} ${JSON.stringify(block)}`);
    } else if (NAMED.has(key) && value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [name, block] of Object.entries(value)) out.push(`${key}.${name} ${JSON.stringify(block)}`);
    } else {
      out.push(`${key} ${JSON.stringify(key === 'terraform' ? maskVersions(value) : value)}`);
    }
  }
  return out;
}

const isTerraform = (value) => Boolean(value && typeof value === 'object' && value.terraform && value.terraform.required_providers);
/** What blockDifference (helpers/synth.ts) returns: block addresses, each with its JSON or null when dropped. */
const isDifference = (value) => Boolean(value && typeof value === 'object' && value.kind === 'terraform-block-difference');

module.exports = {
  test(value) {
    return isTerraform(value) || isDifference(value);
  },
  serialize(value, config, indentation) {
    const body = isDifference(value)
      ? Object.entries(value.blocks).map(
          ([address, block]) => `${address} ${block === null ? '(dropped)' : JSON.stringify(address === 'terraform' ? maskVersions(block) : block)}`,
        )
      : lines(value);
    const inner = indentation + config.indent;
    return `[\n${body.map((line) => inner + maskPins(line)).join('\n')}\n${indentation}]`;
  },
};
