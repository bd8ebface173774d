import { posix } from 'node:path';
import { z } from 'zod';
import { awsRegion, s3BucketName } from '../../lib/config/primitives';
import { STACK_IDS } from '../../lib/config/resource-names';

/** Replaced by the stack id; every stack needs a state of its own. Same text as lib/backend's STACK_PLACEHOLDER. */
const STACK = '<stack>';

const CONTROL = /[\u0000-\u001f\u007f]/;

const ownStatePerStack = (what: string, example: string) =>
  ({
    message: `must contain ${STACK}: otherwise rke-ha, k8s-ha and docker would share one ${what} and overwrite each other's state (e.g. ${example})`,
  }) as const;

const localBackend = z.strictObject({
  /** `local` or `s3` */
  type: z.literal('local').default('local'),
  /** State file path, relative to the stack's directory (cdktf.out/stacks/<stack>); `<stack>` is replaced. */
  path: z
    .string()
    .min(1)
    .refine((p) => !p.startsWith('/'), { message: 'expected a relative path (absolute paths do not survive a move to a pipeline)' })
    .refine((p) => !CONTROL.test(p), { message: 'expected a path without control characters' })
    .refine((p) => p === '' || p.includes(STACK), ownStatePerStack('state file', '../../../terraform.<stack>.tfstate'))
    .refine((p) => p === '' || !/(^|\/)\.{0,2}$/.test(p), {
      message: 'expected a file name at the end, e.g. state/<stack>.tfstate (this names a directory)',
    })
    // "<stack>/../x" contains the placeholder but names one file for every stack.
    .refine(
      (p) =>
        !p.includes(STACK) ||
        /(^|\/)\.{0,2}$/.test(p) ||
        new Set(STACK_IDS.map((id) => posix.normalize(p.split(STACK).join(id)))).size === STACK_IDS.length,
      {
        message: `must name a different file for each stack once "<stack>/.." is resolved; otherwise the stacks share one state file`,
      },
    )
    .optional(),
});

/** KMS key ids as the S3 backend validates them: UUID v1-5 (AWS's own documentation example is not one) or multi-Region. */
const KEY_ID = '([a-f0-9]{8}-[a-f0-9]{4}-[1-5][a-f0-9]{3}-[ab89][a-f0-9]{3}-[a-f0-9]{12}|mrk-[a-f0-9]{32})';
const ALIAS = 'alias/[A-Za-z0-9/_-]+';

/** A KMS key the S3 backend accepts: a key id, an alias name, or the ARN of a key or an alias. */
const kmsKey = z.string().regex(new RegExp(`^(${KEY_ID}|${ALIAS}|arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:(key/${KEY_ID}|${ALIAS}))$`), {
  message: 'expected a KMS key id (a UUID such as 1234abcd-12ab-4cd3-8ef4-1234567890ab, or mrk-...), alias/<name>, or a key or alias ARN',
});

const s3Backend = z.strictObject({
  type: z.literal('s3'),
  /** S3 state bucket */
  bucket: s3BucketName({ dots: true }),
  /** Object key; `<stack>` is replaced by the stack name. */
  key: z
    .string()
    .min(1)
    .max(1024)
    .refine((k) => !k.startsWith('/'), {
      message: 'must not start with "/": the S3 backend refuses it (write rancher/<stack>.tfstate, not /rancher/...)',
    })
    .refine((k) => !k.endsWith('/') && !k.includes('//'), { message: 'must not end with "/" or contain "//": the S3 backend refuses it' })
    .refine((k) => !CONTROL.test(k), { message: 'expected a key without control characters' })
    .refine((k) => k === '' || k.includes(STACK), ownStatePerStack('state object', 'rancher/<stack>.tfstate'))
    .default(`rancher/${STACK}.tfstate`),
  /** State bucket region */
  region: awsRegion.optional(),
  /** KMS key for the state object: key id (UUID or `mrk-...`), `alias/<name>`, or a key or alias ARN */
  kmsKeyId: kmsKey.optional(),
});

/** Where Terraform state lives: local file (default) or S3 with encryption and a lock file. */
export const backendSchema = z.discriminatedUnion('type', [localBackend, s3Backend]).prefault({ type: 'local' });
