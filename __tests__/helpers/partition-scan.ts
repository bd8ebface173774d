import { AWS_REGIONS, partitionOf, type AwsPartition } from '../../lib/config/aws-regions';

/**
 * Strings with another partition's spelling that are right in every partition:
 * S3's XML namespace (a name, never resolved; the S3 API of every partition
 * answers in it) and the checker the deployer's own machine asks for its
 * address (a global name, answered from anywhere; docs/settings.md `adminCidrs`).
 */
export const PARTITION_NEUTRAL = ['http://s3.amazonaws.com/doc/2006-03-01/', 'https://checkip.amazonaws.com'] as const;

/**
 * The image publishers' accounts by partition, written here apart from lib/config/image-owners.ts so that the scan
 * does not take the code's word: Canonical's three (its "Find Ubuntu images on AWS", "Ownership verification"),
 * Red Hat's three (the RHEL image accounts of Red Hat's cloudigrade service), the Rocky Enterprise Software
 * Foundation's commercial one (docs/design-notes.md, "Partitions"). An account of one partition appearing in another partition's stack is a lookup that finds nothing.
 */
export const IMAGE_PUBLISHERS: Readonly<Record<AwsPartition, readonly string[]>> = {
  aws: ['099720109477', '309956199498', '792107900819'],
  'aws-cn': ['837727238323', '841258680906'],
  'aws-us-gov': ['513442679011', '219670896067'],
};
const PUBLISHER = new RegExp(`(?<![0-9])(${Object.values(IMAGE_PUBLISHERS).flat().join('|')})(?![0-9])`, 'g');
const publisherPartition = (account: string) => (Object.keys(IMAGE_PUBLISHERS) as AwsPartition[]).find((p) => IMAGE_PUBLISHERS[p].includes(account));

const ARN = /\barn:(aws[a-z-]*):/g;
const SUFFIX = /amazonaws\.com(\.cn)?/g;
const REGION = new RegExp(`(?<![a-z0-9-])(${AWS_REGIONS.map((r) => r.replace(/-/g, '\\-')).join('|')})(?![a-z0-9])`, 'g');

/** One string of another partition: where (a JSON path or a file name) and the text around it. */
export interface PartitionHit {
  readonly where: string;
  readonly found: string;
  readonly context: string;
}

/** The patterns of another partition's spelling, in the order a text's hits are listed, and whether a match is foreign. */
const FOREIGN: readonly (readonly [RegExp, (m: RegExpMatchArray, partition: AwsPartition) => boolean])[] = [
  [ARN, (m, partition) => m[1] !== partition],
  [SUFFIX, (m, partition) => (m[1] === '.cn') !== (partition === 'aws-cn')],
  [REGION, (m, partition) => partitionOf(m[1]) !== partition],
  [PUBLISHER, (m, partition) => publisherPartition(m[1]) !== partition],
];

/**
 * The hits of each text, as foreignInText lists them, found in one pass of each pattern over the texts joined by
 * NUL: a stack has some 20,000 strings, and four scans of each (with the neutral names' replacement) were most of
 * the scan's cost. Joined, the hits are the same: no pattern matches a NUL, and every boundary a pattern looks at
 * (`\b`, a character before or after that is not a letter, a digit or `-`) holds at a NUL as at a text's start or end.
 */
function foreignInTexts(texts: readonly string[], partition: AwsPartition, where: (i: number) => string): PartitionHit[][] {
  const starts: number[] = [];
  let length = 0;
  for (const text of texts) {
    starts.push(length);
    length += text.length + 1;
  }
  let scanned = texts.join('\0');
  for (const neutral of PARTITION_NEUTRAL) if (scanned.includes(neutral)) scanned = scanned.split(neutral).join(' '.repeat(neutral.length));
  const hits: PartitionHit[][] = texts.map(() => []);
  for (const [pattern, foreign] of FOREIGN) {
    // A pattern's matches come in the order of the text, so the text each is in only ever moves forward.
    let i = 0;
    for (const m of scanned.matchAll(pattern)) {
      if (!foreign(m, partition)) continue;
      while (i + 1 < starts.length && starts[i + 1] <= m.index) i++;
      const own = scanned.slice(starts[i], starts[i] + texts[i].length);
      const index = m.index - starts[i];
      hits[i].push({ where: where(i), found: m[0], context: own.slice(Math.max(0, index - 60), index + m[0].length + 60).replace(/\s+/g, ' ') });
    }
  }
  return hits;
}

/**
 * The ARNs, DNS suffixes and region names of another partition than
 * `partition` in one text: `arn:<other>:`, `amazonaws.com` without `.cn`
 * in China, `amazonaws.com.cn` outside it, a region name of another
 * partition (a provider alias, a KMS condition, an endpoint), an image
 * publisher's account of another partition (an AMI lookup's owner).
 */
export function foreignInText(text: string, partition: AwsPartition, where: string): PartitionHit[] {
  return foreignInTexts([text], partition, () => where)[0];
}

/**
 * Every string of a synthesized stack (keys and values, boot scripts and
 * chart files embedded in them included), scanned by foreignInText. The
 * error messages of variable validations are left out: their example ARN is
 * prose a person reads, never sent to AWS.
 */
export function foreignInStack(json: unknown, partition: AwsPartition): PartitionHit[] {
  // Each string with where it is, in the order of the walk; then the hits in that order, each string's as foreignInText lists them.
  const texts: string[] = [];
  const wheres: string[] = [];
  const owners = new Map<number, PartitionHit>();
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'string') {
      texts.push(value);
      wheres.push(path);
      // An image lookup's owner must be a publisher of this partition: an account the table does not know is one too.
      if (/^\.data\.aws_ami\.[^.]+\.owners\[\d+\]$/.test(path) && !IMAGE_PUBLISHERS[partition].includes(value)) {
        owners.set(texts.length - 1, {
          where: path,
          found: value,
          context: `an image owner that publishes nowhere in ${partition} that the scan knows`,
        });
      }
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
    else if (value && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) {
        if (key === 'error_message') continue;
        texts.push(key);
        wheres.push(`${path}.${key} (key)`);
        walk(v, `${path}.${key}`);
      }
    }
  };
  walk(json, '');
  return foreignInTexts(texts, partition, (i) => wheres[i]).flatMap((hits, i) => (owners.has(i) ? [...hits, owners.get(i)!] : hits));
}

/** The first five hits, one line each, for an assertion's message. */
export const showHits = (hits: readonly PartitionHit[]): string[] => hits.slice(0, 5).map((h) => `${h.where}: ${h.found} in "${h.context}"`);
