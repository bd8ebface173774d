import { Token } from 'cdktf';
import { PARTITION_DNS_SUFFIXES, partitionOf } from '../../config/aws-regions';

/**
 * The AWS endpoints the shipped scripts call, as written in them: the commercial
 * suffix after the region variable (`ssm.$AWS_REGION.amazonaws.com/` in
 * boot-lib.sh, `monitoring.$AWS_REGION...` in cert-renewal.sh,
 * `$BUCKET.s3.$REGION...` in rke2-restore.sh). S3's XML namespace
 * (`http://s3.amazonaws.com/doc/...`) names no region and is the same in
 * every partition.
 */
export const SCRIPT_ENDPOINT = /(\$(?:AWS_)?REGION)\.amazonaws\.com\//g;

/**
 * The user data of a server in `region` (a literal) with the scripts'
 * endpoints under its partition's DNS suffix (`amazonaws.com.cn` in China).
 * Written at synth rather than read on the server: the commercial and
 * GovCloud partitions share the scripts' suffix, so their user data stays
 * byte for byte what earlier versions wrote, and the Docker host, which a
 * change of user data replaces, is not replaced by this version (design
 * notes, "Partitions").
 */
export function forPartition(userData: string, region: string): string {
  if (Token.isUnresolved(region)) return userData;
  const suffix = PARTITION_DNS_SUFFIXES[partitionOf(region)];
  return suffix === 'amazonaws.com' ? userData : userData.replace(SCRIPT_ENDPOINT, `$1.${suffix}/`);
}
