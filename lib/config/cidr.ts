/**
 * IPv4 CIDR arithmetic done at synth time, so subnet ranges and fixed node
 * addresses are plain literals in the Terraform (readable in a plan, stable).
 */

export interface Cidr {
  readonly base: number;
  readonly prefix: number;
}

// No leading zeros: Terraform and AWS read "010.0.0.0/8" differently, so only the canonical form is accepted.
const OCTET = '(0|[1-9]\\d{0,2})';
const CIDR = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}\\/(0|[1-9]\\d?)$`);

/** Parses "a.b.c.d/n"; undefined when malformed or when host bits are set. */
export function parseCidr(text: string): Cidr | undefined {
  const m = CIDR.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  if (base % 2 ** (32 - prefix) !== 0) return undefined;
  return { base, prefix };
}

function format(ip: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(ip / 2 ** shift) % 256).join('.');
}

function mustParse(text: string): Cidr {
  const c = parseCidr(text);
  if (!c) throw new Error(`not an IPv4 CIDR block: ${text}`);
  return c;
}

export function cidrsOverlap(a: string, b: string): boolean {
  const x = mustParse(a);
  const y = mustParse(b);
  const xEnd = x.base + 2 ** (32 - x.prefix);
  const yEnd = y.base + 2 ** (32 - y.prefix);
  return x.base < yEnd && y.base < xEnd;
}

/** Same as Terraform's cidrsubnet(). */
export function cidrSubnet(parent: string, newBits: number, index: number): string {
  const p = mustParse(parent);
  const prefix = p.prefix + newBits;
  if (prefix > 32 || index < 0 || index >= 2 ** newBits) throw new Error(`cannot carve subnet ${index} of /${prefix} from ${parent}`);
  return `${format(p.base + index * 2 ** (32 - prefix))}/${prefix}`;
}

/** Same as Terraform's cidrhost() for a non-negative host number. */
export function cidrHost(parent: string, host: number): string {
  const p = mustParse(parent);
  if (host < 0 || host >= 2 ** (32 - p.prefix)) throw new Error(`host ${host} is outside ${parent}`);
  return format(p.base + host);
}

/**
 * True when the blocks together cover every IPv4 address (0.0.0.0/1 and
 * 128.0.0.0/1, or 256 /8s, as much as 0.0.0.0/0). Malformed blocks are ignored.
 */
export function coversWholeInternet(blocks: readonly string[]): boolean {
  const ranges = blocks
    .map(parseCidr)
    .filter((c): c is Cidr => c !== undefined)
    .map((c) => [c.base, c.base + 2 ** (32 - c.prefix)] as const)
    .sort((a, b) => a[0] - b[0]);
  let covered = 0;
  for (const [start, end] of ranges) {
    if (start > covered) return false;
    covered = Math.max(covered, end);
  }
  return covered >= 2 ** 32;
}
