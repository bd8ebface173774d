// Terraform's resource targeting, as the world's terraform stub applies it (fake-drill.js): `terraform apply
// -target=<address>` plans the targets and every resource and data source they depend on (references and
// depends_on, through locals), never what depends on them (Terraform's CLI docs, "Resource Targeting"; the plan warns
// that targeting is for exceptional cases, and a later apply without it makes the rest).
'use strict';

const REFERENCE = /\b(data\.[a-z0-9_]+\.[A-Za-z0-9_-]+|local\.[A-Za-z0-9_-]+|[a-z0-9]+_[a-z0-9_]+\.[A-Za-z0-9_-]+)/g;

/** The addresses (`type.name`, `data.type.name`) a targeted apply of `config` (cdk.tf.json) plans for `targets`. */
function targetClosure(config, targets) {
  const blocks = new Map();
  for (const [type, byName] of Object.entries(config.resource ?? {}))
    for (const [name, body] of Object.entries(byName)) blocks.set(`${type}.${name}`, body);
  for (const [type, byName] of Object.entries(config.data ?? {}))
    for (const [name, body] of Object.entries(byName)) blocks.set(`data.${type}.${name}`, body);
  for (const [name, body] of Object.entries(config.locals ?? {})) blocks.set(`local.${name}`, body);
  const seen = new Set();
  const stack = [...targets];
  while (stack.length > 0) {
    const address = stack.pop();
    if (seen.has(address) || !blocks.has(address)) continue;
    seen.add(address);
    for (const m of JSON.stringify(blocks.get(address)).matchAll(REFERENCE)) if (m[1] !== address && blocks.has(m[1])) stack.push(m[1]);
  }
  return new Set([...seen].filter((a) => !a.startsWith('local.')));
}

/** The `-target=` addresses of an apply's arguments. */
const targetsOf = (args) => args.filter((a) => a.startsWith('-target=')).map((a) => a.slice('-target='.length));

module.exports = { targetClosure, targetsOf };
