import { TerraformResource, stringToHclTerraform, stringToTerraform, type TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';
import type { Rancher2BootstrapProvider } from './rancher2-provider';

/** `rancher2_bootstrap`'s arguments, with the meta-arguments it takes. */
export interface Rancher2BootstrapConfig extends Pick<TerraformMetaArguments, 'dependsOn' | 'lifecycle'> {
  /** The provider in bootstrap mode. */
  readonly provider: Rancher2BootstrapProvider;
  /** The password `admin` logs in with the first time (the chart's `bootstrapPassword`, the container's `CATTLE_BOOTSTRAP_PASSWORD`). */
  readonly initialPassword: string;
  /** The password `admin` is given. */
  readonly password: string;
  /** `ui-default-landing`: `vue` (the Rancher UI) or `ember` (the legacy one, the provider's default). */
  readonly uiDefaultLanding: 'vue' | 'ember';
}

/**
 * `rancher2_bootstrap` (rancher/rancher2 14.x), written by hand like the
 * provider: the first login of `admin`. Create logs in, sets `server-url` to
 * the provider's `api_url` and `ui-default-landing`, issues an admin API
 * token (`token_ttl` left at 0: Rancher's maximum, `auth-token-max-ttl-minutes`)
 * and sets the password; every Read logs in again; Delete only forgets it. No
 * argument forces a replacement. Sensitivity of the attributes is the
 * provider's business; outputs of them must be marked sensitive.
 */
export class Rancher2Bootstrap extends TerraformResource {
  /** The Terraform resource type, as cdktf's generated resources name it. */
  static readonly tfResourceType = 'rancher2_bootstrap';

  private readonly initialPassword: string;
  private readonly newPassword: string;
  private readonly uiDefaultLanding: string;

  constructor(scope: Construct, id: string, config: Rancher2BootstrapConfig) {
    super(scope, id, {
      terraformResourceType: Rancher2Bootstrap.tfResourceType,
      terraformGeneratorMetadata: { providerName: 'rancher2' },
      provider: config.provider,
      dependsOn: config.dependsOn,
      lifecycle: config.lifecycle,
    });
    this.initialPassword = config.initialPassword;
    this.newPassword = config.password;
    this.uiDefaultLanding = config.uiDefaultLanding;
  }

  /** The admin API token (sensitive). */
  get token(): string {
    return this.getStringAttribute('token');
  }

  /** The admin API token's id (not secret). */
  get tokenId(): string {
    return this.getStringAttribute('token_id');
  }

  /** The password Terraform set for `admin` (sensitive). */
  get currentPassword(): string {
    return this.getStringAttribute('current_password');
  }

  /** Rancher's `server-url`, read back on every refresh. */
  get url(): string {
    return this.getStringAttribute('url');
  }

  /** cdktf's hook: the resource's arguments as JSON. */
  protected synthesizeAttributes(): Record<string, unknown> {
    return {
      initial_password: stringToTerraform(this.initialPassword),
      password: stringToTerraform(this.newPassword),
      ui_default_landing: stringToTerraform(this.uiDefaultLanding),
    };
  }

  /** cdktf's hook: the resource's arguments as HCL. */
  protected synthesizeHclAttributes(): Record<string, unknown> {
    const attribute = (value: unknown, storageClassType: string) => ({ value, isBlock: false, type: 'simple', storageClassType });
    const attributes = {
      initial_password: attribute(stringToHclTerraform(this.initialPassword), 'string'),
      password: attribute(stringToHclTerraform(this.newPassword), 'string'),
      ui_default_landing: attribute(stringToHclTerraform(this.uiDefaultLanding), 'string'),
    };
    return Object.fromEntries(Object.entries(attributes).filter(([, a]) => a.value !== undefined));
  }
}
