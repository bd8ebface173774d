#!/usr/bin/env node
// Compares two folders of synthesized variants (scripts/synth-variants.js before and after a change) leaf by leaf:
// every JSON leaf path that differs, with the resource's name generalized to `*` so one change seen in many resources
// and variants is one line, the variants it appears in counted, and one example of its values.
//   node scripts/synth-variants.js /tmp/before; (change); node scripts/synth-variants.js /tmp/after
//   node scripts/leaf-diff.js /tmp/before /tmp/after
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const [before, after] = process.argv.slice(2);
if (!before || !after) {
  console.error('usage: node scripts/leaf-diff.js BEFORE_DIR AFTER_DIR');
  process.exit(2);
}

/** Every leaf of `value` by path (an empty object or list is a leaf of its own). */
function leaves(value, path = [], out = new Map()) {
  if (value !== null && typeof value === 'object' && Object.keys(value).length > 0)
    for (const [key, child] of Object.entries(value)) leaves(child, [...path, key], out);
  else out.set(JSON.stringify(path), value);
  return out;
}

/** A path with the parts that name one resource, data source, local or output replaced by `*`. */
function group(path) {
  const [top, type, , ...rest] = path;
  if (top === 'resource' || top === 'data') return [top, type, '*', ...rest.map((p) => (/^\d+$/.test(p) ? '#' : p))].join('.');
  if (top === 'check') return ['check', '*', ...path.slice(2).map((p, i) => (i === 2 ? '*' : /^\d+$/.test(p) ? '#' : p))].join('.');
  return path.map((p) => (/^\d+$/.test(p) ? '#' : p)).join('.');
}

const groups = new Map();
const files = [...new Set([...readdirSync(before), ...readdirSync(after)])].sort((a, b) => a.localeCompare(b, 'en'));
for (const file of files) {
  const read = (dir) => {
    try {
      return leaves(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    } catch {
      return new Map();
    }
  };
  const [a, b] = [read(before), read(after)];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const [va, vb] = [a.get(key), b.get(key)];
    if (JSON.stringify(va) === JSON.stringify(vb)) continue;
    const kind = !a.has(key) ? 'added' : !b.has(key) ? 'removed' : 'changed';
    const name = `${kind} ${group(JSON.parse(key))}`;
    const entry = groups.get(name) ?? { variants: new Set(), leaves: 0, example: { path: JSON.parse(key).join('.'), before: va, after: vb } };
    entry.variants.add(file);
    entry.leaves += 1;
    groups.set(name, entry);
  }
}
const show = (v) => (v === undefined ? '(none)' : JSON.stringify(v).slice(0, 160));
for (const [name, { variants, leaves: n, example }] of [...groups].sort(([x], [y]) => x.localeCompare(y, 'en'))) {
  console.log(
    `${name}\n  ${n} leaves in ${variants.size}/${files.length} variants; e.g. ${example.path}: ${show(example.before)} -> ${show(example.after)}`,
  );
}
console.log(`leaf-diff: ${groups.size} groups over ${files.length} variants`);
