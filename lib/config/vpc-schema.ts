import { z } from 'zod';

/** Retention periods CloudWatch Logs accepts (`PutRetentionPolicy`); the S3 destination uses the same list. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/**
 * The VPC endpoints a stack may create. `s3` is a gateway endpoint (routes, no
 * charge); the others are interface endpoints, one network interface per
 * zone, each billed by the hour. The nodes call `ssm` (boot parameters, the
 * SSM agent), `ssmmessages` (Session Manager) and `ec2messages` (the agent's
 * command channel), and rke-ha's RKE2 nodes `s3` (etcd snapshots); `kms`,
 * `sts` and `ec2` are for tools of your own on the nodes (Security Hub's
 * EC2.10 looks for `ec2`).
 */
export const VPC_ENDPOINT_SERVICES = ['s3', 'ssm', 'ssmmessages', 'ec2messages', 'kms', 'sts', 'ec2'] as const;
export type VpcEndpointService = (typeof VPC_ENDPOINT_SERVICES)[number];

/** What the nodes need when their egress is closed and no proxy carries it (`proxy.egressOnlyTo` alone). */
export const NODE_ENDPOINTS: readonly VpcEndpointService[] = ['s3', 'ssm', 'ssmmessages', 'ec2messages'];

/**
 * `vpc`: options for the VPC each stack with nodes creates (rke-ha, docker);
 * k8s-ha creates none. Each costs money or changes routing, so all are off
 * by default (docs/security.md, "AWS Foundational Security Best Practices").
 */
export const vpcSchema = z
  .strictObject({
    flowLogs: z
      .strictObject({
        /** `none`, `cloudwatch` (a log group) or `s3` (a bucket of the stack's own). */
        destination: z.enum(['none', 'cloudwatch', 's3']).default('none'),
        /** Days the records are kept (log group retention, or S3 expiration). */
        retentionDays: z
          .number()
          .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
            message: `expected one of ${LOG_RETENTION_DAYS.join(', ')} (the periods CloudWatch Logs accepts)`,
          })
          // The values, for the settings reference (scripts/settings-reference.ts): a refinement does not show them.
          .meta({ values: [...LOG_RETENTION_DAYS] })
          .default(90),
      })
      .prefault({}),
    /** VPC endpoints to create, by service: `s3` (gateway, free), `ssm`, `ssmmessages`, `ec2messages`, `kms`, `sts`, `ec2`. */
    endpoints: z
      .array(z.enum(VPC_ENDPOINT_SERVICES))
      .refine((list) => new Set(list).size === list.length, { message: 'lists a service twice' })
      .default([]),
  })
  .prefault({});

export type VpcSettings = z.output<typeof vpcSchema>;
