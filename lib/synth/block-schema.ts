import { TerraformDataSource, TerraformProvider, TerraformResource, type TerraformStack } from 'cdktf';
import type { HclSchema } from './hcl';

/**
 * Attributes the provider bindings mark as blocks although the provider
 * schema declares them as nested attributes (plugin framework
 * `*NestedAttribute`s, written `name = { ... }` or `name = [{ ... }]` in
 * HCL): the binding generator of cdktf 0.21 sets `isBlock` for every complex
 * type. Its generated documentation tells them apart: a real block's doc
 * comment reads "<name> block" (the tests check this list against it).
 *
 * The AWS provider's attributes-as-blocks (SDKv2 `ConfigModeAttr`) are the
 * same case: HCL accepts them as attributes, and says "explicitly none"
 * (`ingress = []`, a default security group with no rules) only that way.
 */
export const NESTED_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  // hashicorp/helm 3.x moved from blocks to nested attributes.
  'provider/helm': ['experiments', 'kubernetes', 'registries'],
  // `timeouts` too: the release declares it with the framework's timeouts.Attributes (helm 3.1.1 resource_helm_release.go).
  'resource/helm_release': ['postrender', 'set', 'set_list', 'set_sensitive', 'set_wo', 'timeouts'],
  'data/helm_template': ['postrender', 'set', 'set_list', 'set_sensitive', 'set_wo'],
  // Attributes as blocks: `[]` must reach the HCL as `= []`, or the provider keeps rules added by hand.
  'resource/aws_default_security_group': ['egress', 'ingress'],
};

/** The typed form of an attribute in `toHclTerraform()`: its value and whether it is a block. */
interface TypedAttribute {
  readonly value?: unknown;
  readonly isBlock?: boolean;
  readonly is_block?: boolean;
  readonly type?: string;
}

const isTyped = (v: unknown): v is TypedAttribute =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && 'value' in v && ('isBlock' in v || 'is_block' in v);

/**
 * Which keys of a stack's providers, resources and data sources are nested
 * blocks, read from the provider bindings (generated from each provider's
 * schema) through the typed form cdktf keeps for its own HCL output, minus
 * `NESTED_ATTRIBUTES`. Meta-arguments (lifecycle, depends_on, ...) are
 * Terraform's and not covered here.
 */
export class BindingSchema implements HclSchema {
  private readonly blocks = new Set<string>();

  constructor(stack: TerraformStack) {
    for (const element of stack.node.findAll()) {
      if (element instanceof TerraformResource) {
        this.collect(
          ['resource', element.terraformResourceType],
          element.toHclTerraform().resource?.[element.terraformResourceType]?.[element.friendlyUniqueId],
        );
      } else if (element instanceof TerraformDataSource) {
        this.collect(
          ['data', element.terraformResourceType],
          element.toHclTerraform().data?.[element.terraformResourceType]?.[element.friendlyUniqueId],
        );
      } else if (element instanceof TerraformProvider) {
        const byName = element.toHclTerraform().provider as Record<string, unknown[]> | undefined;
        for (const config of Object.values(byName ?? {}).flat()) this.collect(['provider', element.terraformResourceType], config);
      }
    }
  }

  /** Every path the bindings call a block, before the NESTED_ATTRIBUTES correction (for inspection and tests). */
  get bindingBlocks(): readonly string[] {
    return [...this.blocks].sort();
  }

  isBlock(path: readonly string[]): boolean {
    const [kind, type, first] = path;
    if (NESTED_ATTRIBUTES[`${kind}/${type}`]?.includes(first)) return false;
    return this.blocks.has(path.join('/'));
  }

  private collect(path: readonly string[], attributes: unknown): void {
    if (typeof attributes !== 'object' || attributes === null) return;
    for (const [key, attribute] of Object.entries(attributes)) {
      if (!isTyped(attribute) || !(attribute.isBlock ?? attribute.is_block) || attribute.type === 'map') continue;
      const blockPath = [...path, key];
      this.blocks.add(blockPath.join('/'));
      const values = Array.isArray(attribute.value) ? attribute.value : [attribute.value];
      for (const value of values) this.collect(blockPath, value);
    }
  }
}
