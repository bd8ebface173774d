import { TerraformProvider, stringToHclTerraform, stringToTerraform } from 'cdktf';
import type { Construct } from 'constructs';
import { PINS } from '../config/pins';

/**
 * The rancher/rancher2 release the binding is written against (docs/pipeline.md, "Provider lock file": pinned exactly),
 * from the pin table (lib/config/pins.ts). Since 13.0.0 its major is the Rancher minor it was released for; v15 (2.15)
 * was a release candidate only where it could be read, and the binding uses rancher2_bootstrap alone, which 14.x serves.
 */
export const RANCHER2_PROVIDER_VERSION: string = PINS.rancher2Provider.version;

/** The rancher2 provider's arguments in bootstrap mode. */
export interface Rancher2BootstrapProviderConfig {
  /** Provider alias; the bootstrap resource names it. */
  readonly alias: string;
  /** `https://<hostname>`: the API the provider logs in to, and the value it writes to Rancher's `server-url`. */
  readonly apiUrl: string;
  /** PEM of the CA Rancher's certificate chains to, added to the system roots. Unset: the system roots alone. */
  readonly caCerts?: string;
  /** Budget of each of the provider's waits (Rancher's `/ping`, the login, the local cluster), a Go duration such as `600s`. */
  readonly timeout: string;
}

/**
 * Arguments the provider (14.1.1, `rancher2/provider.go`) would otherwise take
 * from the environment of whoever runs Terraform: `RANCHER_ACCESS_KEY`,
 * `RANCHER_SECRET_KEY` and `RANCHER_TOKEN_KEY` (any of them makes bootstrap
 * mode refuse to configure, failing every plan) and `RANCHER_INSECURE` (which
 * would silently skip verifying the login that sends the admin password).
 * `ca_certs` (`RANCHER_CA_CERTS`) is always written too. An explicit value
 * wins over the environment; `"nil"` is the provider's own marker for "not
 * given" (`providerDefaultEmptyString`), so bootstrap mode sees no key.
 */
export const ENVIRONMENT_PROOF = { access_key: 'nil', secret_key: 'nil', token_key: 'nil', insecure: false } as const;

/**
 * The `rancher/rancher2` provider in bootstrap mode, written by hand: there is
 * no prebuilt cdktf binding (`@cdktf/provider-rancher2` does not exist), and
 * only `rancher2_bootstrap` is used. Only what bootstrap mode takes is
 * exposed. `bootstrap = true` is always written: once a `rancher2_bootstrap`
 * is in state, every later plan reads it through this provider, and a provider
 * without bootstrap mode then fails (rancher/terraform-provider-rancher2#1204).
 * `insecure` is never offered: the login sends the admin password. Nothing
 * is left to the environment (`ENVIRONMENT_PROOF`).
 */
export class Rancher2BootstrapProvider extends TerraformProvider {
  /** The provider's type, as cdktf's generated providers name it. */
  static readonly tfResourceType = 'rancher2';

  private _alias: string | undefined;
  private readonly apiUrl: string;
  private readonly caCerts?: string;
  private readonly timeout: string;

  constructor(scope: Construct, id: string, config: Rancher2BootstrapProviderConfig) {
    super(scope, id, {
      terraformResourceType: Rancher2BootstrapProvider.tfResourceType,
      terraformGeneratorMetadata: {
        providerName: 'rancher2',
        providerVersion: RANCHER2_PROVIDER_VERSION,
        providerVersionConstraint: `~> ${RANCHER2_PROVIDER_VERSION.split('.').slice(0, 2).join('.')}`,
      },
      terraformProviderSource: 'rancher/rancher2',
    });
    this._alias = config.alias;
    this.apiUrl = config.apiUrl;
    this.caCerts = config.caCerts;
    this.timeout = config.timeout;
  }

  // cdktf reads `alias` for the provider's reference (`rancher2.<alias>`) and its meta-arguments.
  /** The provider's alias (`rancher2.<alias>`). */
  get alias(): string | undefined {
    return this._alias;
  }

  /** Sets the provider's alias. */
  set alias(value: string | undefined) {
    this._alias = value;
  }

  /** cdktf's hook: the provider's arguments as JSON. */
  protected synthesizeAttributes(): Record<string, unknown> {
    return {
      alias: stringToTerraform(this._alias),
      api_url: stringToTerraform(this.apiUrl),
      bootstrap: true,
      ca_certs: stringToTerraform(this.caCerts ?? ''),
      timeout: stringToTerraform(this.timeout),
      ...ENVIRONMENT_PROOF,
    };
  }

  /** cdktf's hook: the provider's arguments as HCL. */
  protected synthesizeHclAttributes(): Record<string, unknown> {
    const attribute = (value: unknown, storageClassType: string) => ({ value, isBlock: false, type: 'simple', storageClassType });
    const attributes = {
      alias: attribute(stringToHclTerraform(this._alias), 'string'),
      api_url: attribute(stringToHclTerraform(this.apiUrl), 'string'),
      bootstrap: attribute(true, 'boolean'),
      ca_certs: attribute(stringToHclTerraform(this.caCerts ?? ''), 'string'),
      timeout: attribute(stringToHclTerraform(this.timeout), 'string'),
      access_key: attribute(ENVIRONMENT_PROOF.access_key, 'string'),
      secret_key: attribute(ENVIRONMENT_PROOF.secret_key, 'string'),
      token_key: attribute(ENVIRONMENT_PROOF.token_key, 'string'),
      insecure: attribute(ENVIRONMENT_PROOF.insecure, 'boolean'),
    };
    return Object.fromEntries(Object.entries(attributes).filter(([, a]) => a.value !== undefined));
  }
}
