// Snapshot serializer: masks what churns without a reviewable reason (exact
// provider versions), so a provider bump is one reviewed change in
// package.json, not noise in every snapshot. Construct-derived names stay:
// they are the public contract the snapshots guard.
const masked = new WeakSet();

function mask(value) {
  if (Array.isArray(value)) return value.map(mask);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'required_providers') {
        out[key] = Object.fromEntries(Object.entries(inner).map(([name, p]) => [name, { ...p, version: '<masked>' }]));
      } else {
        out[key] = mask(inner);
      }
    }
    return out;
  }
  return value;
}

module.exports = {
  test(value) {
    return Boolean(value && typeof value === 'object' && value.terraform && value.terraform.required_providers && !masked.has(value));
  },
  serialize(value, config, indentation, depth, refs, printer) {
    const copy = mask(value);
    masked.add(copy);
    return printer(copy, config, indentation, depth, refs);
  },
};
