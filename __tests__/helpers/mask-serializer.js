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
    return `[\n${body.map((line) => inner + line).join('\n')}\n${indentation}]`;
  },
};
