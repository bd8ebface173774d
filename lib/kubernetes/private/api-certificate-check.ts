import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { escapeTemplate } from '../../common/terraform-template';
import { CERT_RENEW_WITHIN_DAYS } from './server-units';

/**
 * Days before the end of the API's serving certificate from which every plan warns. The servers renew their
 * certificates CERT_RENEW_WITHIN_DAYS (80) ahead (cert-renewal.sh, `RENEW_WITHIN_DAYS`): a certificate this close to its end means the
 * renewal did not run on the server that answered (no timer on a server older than it, a stuck marker, a timer that
 * never fires).
 */
export const API_CERTIFICATE_WARNING_DAYS = 60;

/** The name of the check's own data source (scoped to the check block). */
const DATA_NAME = 'api_serving_certificate';

export interface ApiCertificateCheckProps {
  /** The API's host name as Terraform reaches it (the name the cluster providers use). */
  readonly host: string;
  readonly port: number;
  /** The `check` block's name (stackLevelName). */
  readonly checkName: string;
  /** The renewal's systemd unit on the servers, named in the warning. */
  readonly renewalUnit: string;
}

/**
 * A `check` that reads the certificate the Kubernetes API serves (one server's, whichever the load balancer or
 * DNS answers with) and warns on every plan from API_CERTIFICATE_WARNING_DAYS before its end. The second line
 * behind the servers' renewal timer: nothing else in Terraform sees a server certificate age.
 *
 * The data source lives inside the check block (Terraform 1.5+): its failure (API unreachable, first plan
 * before the load balancer exists, when the name is still unknown) is a warning, never an error, so it cannot
 * block a plan or a destroy. tls provider 4.1.0 `data_source_certificate.go`: a `tls://` URL is a bare TLS
 * handshake (no HTTP request reaches the API); `verify_chain = false` because the chain ends at the cluster's
 * own CA, which this read neither has nor needs (it authenticates nothing, it reads a date); the certificates come
 * back in reverse order of the handshake's, so the served leaf is the last one.
 */
export function apiCertificateCheck(scope: Construct, props: ApiCertificateCheckProps): void {
  const data = `data.tls_certificate.${DATA_NAME}`;
  const leaf = `${data}.certificates[length(${data}.certificates) - 1]`;
  const hours = API_CERTIFICATE_WARNING_DAYS * 24;
  TerraformStack.of(scope).addOverride(`check.${props.checkName}`, {
    data: { tls_certificate: { [DATA_NAME]: { url: `tls://${props.host}:${props.port}`, verify_chain: false } } },
    assert: [
      {
        condition: `\${timecmp(plantimestamp(), timeadd(${leaf}.not_after, "-${hours}h")) < 0}`,
        error_message:
          `The Kubernetes API's serving certificate (of the server that answered on port ${props.port}) ends at \${${leaf}.not_after}, ` +
          `less than ${API_CERTIFICATE_WARNING_DAYS} days from now, although the servers renew theirs ${CERT_RENEW_WITHIN_DAYS} days ahead: its renewal did not run. ` +
          `On each server (aws ssm start-session): systemctl status ${props.renewalUnit}.timer and journalctl -u ${props.renewalUnit}; ` +
          `a server without that timer (created before it existed) is renewed by a roll (npm run roll -- ${escapeTemplate(TerraformStack.of(scope).node.id)} --server <name>) or an in-place upgrade; ` +
          'docs/day-2.md, "Lifetimes".',
      },
    ],
  });
}
