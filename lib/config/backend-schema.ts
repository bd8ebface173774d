import { z } from 'zod';
import { awsRegion } from './primitives';

const localBackend = z.strictObject({
  type: z.literal('local').default('local'),
  /** State file path, relative to the stack's directory (cdktf.out/stacks/<stack>). */
  path: z
    .string()
    .min(1)
    .refine((p) => !p.startsWith('/'), { message: 'expected a relative path (absolute paths do not survive a move to a pipeline)' })
    .optional(),
});

const s3Backend = z.strictObject({
  type: z.literal('s3'),
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'expected an S3 bucket name' }),
  /** Object key; `<stack>` is replaced by the stack name. */
  key: z.string().min(1).default('rancher/<stack>.tfstate'),
  region: awsRegion.optional(),
  kmsKeyId: z.string().min(1).optional(),
});

/** Where Terraform state lives: local file (default) or S3 with encryption and a lock file. */
export const backendSchema = z.discriminatedUnion('type', [localBackend, s3Backend]).prefault({ type: 'local' });
