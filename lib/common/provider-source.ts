import type { TerraformProvider } from 'cdktf';

/**
 * A provider's registry source written in full (`hashicorp/aws`). The
 * prebuilt bindings of aws, helm, http and kubernetes write the short form
 * (`aws`) and those of random and tls the full one; Terraform reads both as
 * registry.terraform.io/hashicorp/<name> (the same lock file entry and state
 * address), so this changes only how required_providers reads.
 */
export function withFullSource<T extends TerraformProvider>(provider: T): T {
  const source = provider.terraformProviderSource;
  if (source !== undefined && !source.includes('/'))
    (provider as { terraformProviderSource?: string }).terraformProviderSource = `hashicorp/${source}`;
  return provider;
}
