import { z } from 'zod';

/**
 * `tags`: extra tags on every AWS resource (the provider's `default_tags`).
 * The rules are the intersection of what every tagged service here accepts
 * (EC2, ELB, S3, RDS, IAM, KMS, SSM, Route53, DLM): keys of 1-128 and values
 * of 0-256 characters, letters, digits, spaces and `_ . : / = + - @`, no
 * `aws:` prefix, keys unique regardless of case (IAM), and at most 50 tags on
 * a resource together with this project's own.
 */

/** Tags this project sets itself: every resource's deployment tag, most resources' Name, the data volume's snapshot target. */
export const PRODUCT_TAG_KEYS = ['rancher-aws:deployment', 'Name', 'rancher-aws:snapshots'] as const;

/** AWS's limit of tags on one resource. */
export const MAX_TAGS_PER_RESOURCE = 50;

const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const ALLOWED = 'letters, digits, spaces and _ . : / = + - @';

/** Characters as AWS counts them (code points, not UTF-16 units). */
const length = (text: string) => [...text].length;

const tagKey = z.string().superRefine((key, ctx) => {
  const problem = (message: string) => ctx.addIssue({ code: 'custom', message, input: key });
  if (length(key) < 1 || length(key) > 128) return problem('expected a tag key of 1-128 characters');
  if (!TAG_CHARACTERS.test(key)) return problem(`expected a tag key of ${ALLOWED} (what every tagged AWS service accepts)`);
  if (/^(aws:|rancher-aws:)/i.test(key)) return problem('tag keys starting with "aws:" are AWS\'s, "rancher-aws:" this project\'s');
});

const tagValue = z.string().superRefine((value, ctx) => {
  if (length(value) > 256) ctx.addIssue({ code: 'custom', message: 'expected at most 256 characters', input: value });
  else if (!TAG_CHARACTERS.test(value))
    ctx.addIssue({ code: 'custom', message: `expected a tag value of ${ALLOWED} (what every tagged AWS service accepts)`, input: value });
});

export const tagsSchema = z
  .record(tagKey, tagValue)
  .superRefine(
    (tags, ctx) => {
      if (!tags || typeof tags !== 'object') return;
      const keys = Object.keys(tags);
      const total = new Set([...keys, ...PRODUCT_TAG_KEYS]).size;
      if (total > MAX_TAGS_PER_RESOURCE) {
        ctx.addIssue({
          code: 'custom',
          message: `${keys.length} tags and this project's own (${PRODUCT_TAG_KEYS.join(', ')}) make ${total} on the Docker data volume; AWS allows ${MAX_TAGS_PER_RESOURCE} on a resource, so at most ${MAX_TAGS_PER_RESOURCE - PRODUCT_TAG_KEYS.length} of yours`,
          input: `${keys.length} tags`,
        });
      }
      const seen = new Map<string, string>();
      for (const key of keys) {
        const folded = key.toLowerCase();
        const first = seen.get(folded);
        if (first !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `the same key as "${first}" but for case; IAM treats tag keys case-insensitively and refuses both`,
            input: key,
          });
        } else {
          seen.set(folded, key);
        }
      }
    },
    { when: () => true },
  )
  .default({});
