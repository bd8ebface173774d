import {
  cidrHost,
  cidrSubnet,
  cidrsOverlap,
  coversWholeInternet,
  coversWholeIpv6Internet,
  formatIpv6,
  parseCidr,
  parseCidr6,
} from '../../../lib/config/cidr';
import { countSteps } from '../../helpers/steps';

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/16', 10 * 2 ** 24, 16],
    ['203.0.113.0/24', ((203 * 256 + 0) * 256 + 113) * 256, 24],
    ['203.0.113.7/32', ((203 * 256 + 0) * 256 + 113) * 256 + 7, 32],
    ['0.0.0.0/0', 0, 0],
    ['255.255.255.255/32', 2 ** 32 - 1, 32],
    ['128.0.0.0/1', 2 ** 31, 1],
  ])('parses %s', (text, base, prefix) => {
    expect(parseCidr(text)).toEqual({ base, prefix });
  });

  it.each(['10.0.0.1/16', '203.0.113.7/24', '10.43.0.0/15', '0.0.0.1/0', '192.168.1.128/24'])('rejects %s: host bits set', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });

  it.each(['256.0.0.0/8', '10.0.300.0/24', '10.0.0.999/32'])('rejects %s: octet above 255', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });

  it.each(['10.0.0.0/33', '0.0.0.0/99'])('rejects %s: prefix above 32', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });

  it.each(['', '10.0.0.0', '10.0.0/8', '10.0.0.0.0/8', '10.0.0.0/', '10.0.0.0/-1', ' 10.0.0.0/8', '10.0.0.0/8 ', 'a.b.c.d/8', '::/0'])(
    'rejects malformed %p',
    (text) => {
      expect(parseCidr(text)).toBeUndefined();
    },
  );
});

describe('cidrsOverlap', () => {
  it.each([
    ['10.0.0.0/16', '10.0.0.0/16', true],
    ['10.0.0.0/8', '10.42.0.0/16', true],
    ['10.42.0.0/16', '10.0.0.0/8', true],
    ['10.42.255.0/24', '10.42.0.0/16', true],
    ['0.0.0.0/0', '203.0.113.0/24', true],
    ['10.42.0.0/16', '10.43.0.0/16', false],
    ['10.41.0.0/16', '10.42.0.0/16', false],
    ['10.44.0.0/16', '10.42.0.0/15', false],
    ['10.0.0.0/16', '10.42.0.0/16', false],
    ['10.0.0.255/32', '10.0.1.0/24', false],
  ])('%s and %s → %s', (a, b, overlap) => {
    expect(cidrsOverlap(a, b)).toBe(overlap);
    expect(cidrsOverlap(b, a)).toBe(overlap);
  });

  it('throws on a malformed block instead of answering', () => {
    expect(() => cidrsOverlap('10.0.0.1/16', '10.42.0.0/16')).toThrow(/not an IPv4 CIDR block: 10.0.0.1\/16/);
    expect(() => cidrsOverlap('10.0.0.0/16', 'nope')).toThrow(/not an IPv4 CIDR block: nope/);
  });
});

describe("cidrSubnet (Terraform's cidrsubnet)", () => {
  it.each([
    // Examples from the Terraform documentation of cidrsubnet().
    ['172.16.0.0/12', 4, 2, '172.18.0.0/16'],
    ['10.1.2.0/24', 4, 15, '10.1.2.240/28'],
    // The subnets this project carves out of the default VPC range.
    ['10.0.0.0/16', 4, 0, '10.0.0.0/20'],
    ['10.0.0.0/16', 4, 1, '10.0.16.0/20'],
    ['10.0.0.0/16', 4, 2, '10.0.32.0/20'],
    ['10.0.0.0/16', 8, 255, '10.0.255.0/24'],
    ['10.0.0.0/16', 0, 0, '10.0.0.0/16'],
    ['192.168.0.0/24', 8, 7, '192.168.0.7/32'],
    // Upper half of the address space (no 32-bit signed overflow).
    ['128.0.0.0/1', 1, 1, '192.0.0.0/2'],
    ['0.0.0.0/0', 8, 255, '255.0.0.0/8'],
  ])('cidrsubnet("%s", %d, %d) = "%s"', (parent, newBits, index, subnet) => {
    expect(cidrSubnet(parent, newBits, index)).toBe(subnet);
  });

  it('rejects a subnet number that does not fit in the new bits', () => {
    expect(() => cidrSubnet('10.0.0.0/16', 4, 16)).toThrow(/cannot carve subnet 16 of \/20 from 10.0.0.0\/16/);
  });

  it('rejects a negative subnet number', () => {
    expect(() => cidrSubnet('10.0.0.0/16', 4, -1)).toThrow(/cannot carve/);
  });

  it('rejects a prefix beyond /32', () => {
    expect(() => cidrSubnet('10.0.0.0/30', 3, 0)).toThrow(/cannot carve subnet 0 of \/33/);
  });

  it('rejects a malformed parent', () => {
    expect(() => cidrSubnet('10.0.0.1/16', 4, 0)).toThrow(/not an IPv4 CIDR block/);
  });
});

describe("cidrHost (Terraform's cidrhost)", () => {
  it.each([
    // Examples from the Terraform documentation of cidrhost().
    ['10.12.112.0/20', 16, '10.12.112.16'],
    ['10.12.112.0/20', 268, '10.12.113.12'],
    // Fixed node addresses in the default subnets.
    ['10.0.16.0/20', 10, '10.0.16.10'],
    ['10.0.0.0/20', 0, '10.0.0.0'],
    ['10.0.16.0/20', 4095, '10.0.31.255'],
    ['203.0.113.7/32', 0, '203.0.113.7'],
    ['255.255.255.0/24', 255, '255.255.255.255'],
  ])('cidrhost("%s", %d) = "%s"', (parent, host, address) => {
    expect(cidrHost(parent, host)).toBe(address);
  });

  it('rejects a host number past the end of the block', () => {
    expect(() => cidrHost('10.0.16.0/20', 4096)).toThrow(/host 4096 is outside 10.0.16.0\/20/);
    expect(() => cidrHost('203.0.113.7/32', 1)).toThrow(/outside/);
  });

  it('rejects a negative host number (counting from the end is not supported)', () => {
    expect(() => cidrHost('10.0.16.0/20', -1)).toThrow(/host -1 is outside/);
  });

  it('rejects a malformed parent', () => {
    expect(() => cidrHost('10.0.16.5/20', 1)).toThrow(/not an IPv4 CIDR block/);
  });
});

describe('coversWholeInternet', () => {
  it.each([
    [['0.0.0.0/0']],
    [['0.0.0.0/1', '128.0.0.0/1']],
    [['128.0.0.0/1', '0.0.0.0/1', '10.0.0.0/8']],
    [Array.from({ length: 256 }, (_, i) => `${255 - i}.0.0.0/8`)],
  ])('is true for %j', (blocks) => {
    expect(coversWholeInternet(blocks)).toBe(true);
  });

  it.each([
    [[]],
    [['0.0.0.0/1']],
    [['0.0.0.0/1', '128.0.0.0/2', '192.0.0.0/3', 'garbage', '224.0.0.0/3x']],
    [['0.0.0.0/1', '128.0.0.1/1']],
    [Array.from({ length: 255 }, (_, i) => `${i}.0.0.0/8`)],
    [['0.0.0.0/2', '128.0.0.0/1']],
  ])('is false for %j (a gap, or a malformed block ignored)', (blocks) => {
    expect(coversWholeInternet(blocks)).toBe(false);
  });

  // Work counted, not timed: a parse and a sort (n log n comparisons at most) and one pass, against n² for a
  // comparison of every block with every other.
  it('stays within n log n: 65,536 /16s in reverse order', () => {
    const n = 65536;
    const blocks = Array.from({ length: n }, (_, i) => `${255 - (i >> 8)}.${255 - (i & 255)}.0.0/16`);
    const { result, steps } = countSteps(() => coversWholeInternet(blocks), 4 * n * Math.log2(n));
    expect(result).toBe(true);
    expect(steps).toBeGreaterThanOrEqual(n);
  });
});

describe('parseCidr6, formatIpv6, coversWholeIpv6Internet', () => {
  it.each([
    ['2001:db8::/32', 32],
    ['::/0', 0],
    ['fd00:42::/56', 56],
    ['2001:db8::7/128', 128],
    ['2600:1f18:4a3:6a00::/56', 56],
    ['8000::/1', 1],
  ])('parses %s', (text, prefix) => {
    expect(parseCidr6(text)?.prefix).toBe(prefix);
  });

  it.each([
    ['2001:DB8::/32', 'upper case'],
    ['2001:0db8::/32', 'a leading zero'],
    ['2001:db8:0:0:0:0:0:0/32', 'zeros RFC 5952 writes as ::'],
    ['2001:db8::1/32', 'host bits'],
    ['2001:db8::/129', 'a prefix over 128'],
    ['2001:db8:::/32', 'a triple colon'],
    ['1::2::3/64', 'two ::'],
    ['2001:db8::', 'no prefix'],
    ['203.0.113.0/24', 'IPv4'],
    ['::ffff:203.0.113.0/120', 'an embedded IPv4 address'],
    ['2001:db8::/32x', 'text after the prefix'],
    ['1:2:3:4:5:6:7::8:9/128', 'nine groups beside ::'],
  ])('rejects %s: %s', (text) => {
    expect(parseCidr6(text)).toBeUndefined();
  });

  it('writes addresses as RFC 5952 does: the longest zero run as ::, the first on a tie, never a single zero group', () => {
    const parsed = (text: string) => parseCidr6(`${text}/128`);
    expect(formatIpv6(BigInt('0x20010db8000000000001000000000001'))).toBe('2001:db8::1:0:0:1');
    expect(formatIpv6(BigInt('0x20010db8000100000000000000000001'))).toBe('2001:db8:1::1');
    expect(formatIpv6(BigInt('0x20010db8000000010001000100010001'))).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatIpv6(0n)).toBe('::');
    expect(parsed('2001:db8:0:1:1:1:1:1')).toBeDefined();
    expect(parsed('2001:db8::1:1:1:1:1')).toBeUndefined();
  });

  it('sees the whole IPv6 internet covered by halves, not by one half or by IPv4 blocks', () => {
    expect(coversWholeIpv6Internet(['::/1', '8000::/1'])).toBe(true);
    expect(coversWholeIpv6Internet(['::/1', '8000::/2', 'c000::/2'])).toBe(true);
    expect(coversWholeIpv6Internet(['::/1'])).toBe(false);
    expect(coversWholeIpv6Internet(['0.0.0.0/1', '128.0.0.0/1'])).toBe(false);
  });

  it('judges the IPv6 blocks in any order, a nested block not shrinking what is covered and a gap between halves counted', () => {
    expect(coversWholeIpv6Internet(['8000::/1', '::/1'])).toBe(true);
    expect(coversWholeIpv6Internet(['::/1', '::/2', '8000::/1'])).toBe(true);
    expect(coversWholeIpv6Internet(['::/2', '8000::/1'])).toBe(false);
  });
});
