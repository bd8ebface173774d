import { DataAwsCallerIdentity } from '@cdktn/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktn/provider-aws/lib/data-aws-partition';
import { DataAwsRegion } from '@cdktn/provider-aws/lib/data-aws-region';
import { DataAwsServicePrincipal } from '@cdktn/provider-aws/lib/data-aws-service-principal';
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';

/**
 * The account, partition and region of the stack's default AWS provider, read
 * once per stack: the first construct that asks creates the data source under
 * its own id (`account`, `partition`, `region`), later ones share it. Only
 * these are shared, never a data source of the user's (which may read through
 * another provider).
 */
interface Context {
  partition?: DataAwsPartition;
  principals?: Map<string, DataAwsServicePrincipal>;
  account?: DataAwsCallerIdentity;
  region?: DataAwsRegion;
}

const contexts = new WeakMap<TerraformStack, Context>();

function contextOf(scope: Construct): Context {
  const stack = TerraformStack.of(scope);
  let context = contexts.get(stack);
  if (!context) contexts.set(stack, (context = {}));
  return context;
}

export function stackPartition(scope: Construct): DataAwsPartition {
  const context = contextOf(scope);
  return (context.partition ??= new DataAwsPartition(scope, 'partition'));
}

export function stackAccount(scope: Construct): DataAwsCallerIdentity {
  const context = contextOf(scope);
  return (context.account ??= new DataAwsCallerIdentity(scope, 'account'));
}

export function stackRegion(scope: Construct): DataAwsRegion {
  const context = contextOf(scope);
  return (context.region ??= new DataAwsRegion(scope, 'region'));
}

/**
 * The name a service signs as in the stack's partition and region (the
 * provider's `aws_service_principal`, one per service and stack, under the id
 * `service-principal-<service>`): most are `<service>.amazonaws.com` in every
 * partition, a few take the partition's own suffix in China, and the
 * provider keeps that table (design notes, "Partitions").
 */
export function stackServicePrincipal(scope: Construct, service: string): string {
  const context = contextOf(scope);
  const principals = (context.principals ??= new Map());
  let principal = principals.get(service);
  if (!principal) {
    principal = new DataAwsServicePrincipal(scope, `service-principal-${service.replace(/\./g, '-')}`, { serviceName: service });
    principals.set(service, principal);
  }
  return principal.name;
}

/** The DNS suffix of the stack's partition (`amazonaws.com`, `amazonaws.com.cn`): every endpoint is `<service>.<region>.<suffix>`. */
export function stackDnsSuffix(scope: Construct): string {
  return stackPartition(scope).dnsSuffix;
}
