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

/** An IPv6 block: its first address as a 128-bit number, and its prefix length. */
export interface Cidr6 {
  readonly base: bigint;
  readonly prefix: number;
}

const HEXTET = /^[0-9a-f]{1,4}$/;

/** The 128-bit value of an IPv6 address written in hex groups (no embedded IPv4); undefined when malformed. */
function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = halves.map((half) => (half === '' ? [] : half.split(':')));
  const count = groups.reduce((n, g) => n + g.length, 0);
  if (halves.length === 1 ? count !== 8 : count > 7) return undefined;
  const all = halves.length === 1 ? groups[0] : [...groups[0], ...Array<string>(8 - count).fill('0'), ...groups[1]];
  if (!all.every((g) => HEXTET.test(g))) return undefined;
  return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/**
 * The canonical text of an IPv6 address (RFC 5952: lower case, no leading
 * zeros, the longest run of two or more zero groups as `::`, the first such
 * run on a tie), which is also how Terraform's cidrhost() prints one.
 */
export function formatIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

/**
 * Parses an IPv6 block in its canonical form ("2001:db8::/32"); undefined
 * when malformed, not canonical (upper case, leading zeros, `::` elsewhere
 * than RFC 5952 puts it) or when host bits are set. Only the canonical form is
 * taken, as for IPv4: Terraform and AWS compare the text.
 */
export function parseCidr6(text: string): Cidr6 | undefined {
  const m = /^([0-9a-f:]+)\/(0|[1-9]\d{0,2})$/.exec(text);
  if (!m) return undefined;
  const prefix = Number(m[2]);
  const base = parseIpv6(m[1]);
  if (base === undefined || prefix > 128 || formatIpv6(base) !== m[1]) return undefined;
  if (prefix < 128 && base % (1n << BigInt(128 - prefix)) !== 0n) return undefined;
  return { base, prefix };
}

/** True when the text is written as an IPv6 block (it has a colon), valid or not: which family's rules to hold it to. */
export const isIpv6Text = (text: string): boolean => text.includes(':');

/**
 * True when the IPv6 blocks together cover every IPv6 address (::/1 and
 * 8000::/1 as much as ::/0). Malformed blocks and IPv4 ones are ignored.
 */
export function coversWholeIpv6Internet(blocks: readonly string[]): boolean {
  const ranges = blocks
    .map(parseCidr6)
    .filter((c): c is Cidr6 => c !== undefined)
    .map((c) => [c.base, c.base + (1n << BigInt(128 - c.prefix))] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let covered = 0n;
  for (const [start, end] of ranges) {
    if (start > covered) return false;
    if (end > covered) covered = end;
  }
  return covered >= 1n << 128n;
}

/**
 * The address ranges reserved for documentation: RFC 5737's three IPv4 TEST-NETs and RFC 3849's IPv6 prefix. No one
 * administers from them (they are never routed on the internet), so admin ports opened to them are open to nobody.
 */
export const DOCUMENTATION_RANGES = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32'] as const;

/** The documentation range a block lies inside (the range itself included), or undefined; malformed blocks are in none. */
export function documentationRange(block: string): string | undefined {
  return DOCUMENTATION_RANGES.find((range) => {
    // Inside: a prefix no shorter than the range's, and its first address in the range (so all of it is).
    if (isIpv6Text(range)) {
      const inner = isIpv6Text(block) ? parseCidr6(block) : undefined;
      const outer = parseCidr6(range)!;
      return (
        inner !== undefined && inner.prefix >= outer.prefix && inner.base >> BigInt(128 - outer.prefix) === outer.base >> BigInt(128 - outer.prefix)
      );
    }
    const inner = isIpv6Text(block) ? undefined : parseCidr(block);
    const outer = parseCidr(range)!;
    return (
      inner !== undefined &&
      inner.prefix >= outer.prefix &&
      Math.floor(inner.base / 2 ** (32 - outer.prefix)) === outer.base / 2 ** (32 - outer.prefix)
    );
  });
}
