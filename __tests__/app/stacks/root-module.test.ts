import { describeRootModules } from '../../helpers/root-module';
import { STACK_VARIANTS, synthSettings } from '../../helpers/variants';

/**
 * Every stack variant (but the rke-ha TLS pairs, checked alike in
 * rke-ha-tls.test.ts) as a root module a pipeline runs with plain Terraform,
 * read in process: the address contract, no secret literal, providers, the
 * version floor (root-module.tools.test.ts checks their HCL folders and runs terraform on them).
 */

const synthesized = STACK_VARIANTS.map((variant) => ({ ...variant, ...synthSettings(variant.stack, variant.settings) }));

describeRootModules('stack variants', synthesized);
