import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TerraformJson } from './synth';

/**
 * Construct ids are Terraform addresses, and so a public contract: a renamed
 * id destroys and recreates the cloud resource. Each synthesized variant's
 * addresses (resources, data sources, variables a pipeline passes, outputs it
 * reads) are recorded in __tests__/fixtures/addresses/; every recorded
 * address must still be there. New addresses are allowed (recorded by
 * running the tests with RECORD_ADDRESSES=1); removing one takes a deliberate
 * edit of the fixture, with a `moved` block for a resource that lives on.
 */

export function addressesOf(json: TerraformJson): string[] {
  const resources = Object.entries(json.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));
  const data = Object.entries(json.data ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((name) => `data.${type}.${name}`));
  const variables = Object.keys(json.variable ?? {}).map((name) => `var.${name}`);
  const outputs = Object.keys(json.output ?? {}).map((name) => `output.${name}`);
  return [...resources, ...data, ...variables, ...outputs].sort();
}

const fixture = (title: string) => join(__dirname, '..', 'fixtures', 'addresses', `${title.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.json`);

/** The recorded addresses of each variant of `title`: { variant: [address, ...] }. */
export function recordedAddresses(title: string): Record<string, string[]> {
  const file = fixture(title);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string[]>) : {};
}

/** With RECORD_ADDRESSES=1: adds what is new to the fixture (never drops a recorded address). */
export function recordAddresses(title: string, variants: Record<string, TerraformJson>): void {
  if (process.env.RECORD_ADDRESSES !== '1') return;
  const recorded = recordedAddresses(title);
  const merged = Object.fromEntries(
    Object.entries(variants)
      .map(([name, json]) => [name, [...new Set([...(recorded[name] ?? []), ...addressesOf(json)])].sort()] as const)
      .sort(([a], [b]) => a.localeCompare(b, 'en')),
  );
  writeFileSync(fixture(title), `${JSON.stringify({ ...recorded, ...merged }, null, 1)}\n`);
}

/** The recorded addresses a synthesized variant no longer has. */
export function missingAddresses(title: string, variant: string, json: TerraformJson): string[] | undefined {
  const recorded = recordedAddresses(title)[variant];
  if (recorded === undefined) return undefined;
  const present = new Set(addressesOf(json));
  return recorded.filter((address) => !present.has(address));
}
