import { LocallySignedCert } from '@cdktf/provider-tls/lib/locally-signed-cert';
import type { Construct } from 'constructs';
import type { GuardCondition } from '../../common/deployment-guard';
import { TerraformData } from '../../common/terraform-data';
import type { ClusterPki } from '../cluster-pki';
import { addCheck } from '../../common/private/check';

/** How long before a cluster CA's end every plan warns: two years, time to plan and test a move. */
export const CA_WARNING_HOURS = 17_520;
/** How long before the admin client certificate's end every plan warns (deployments made before it lived as long as its CA). */
export const ADMIN_WARNING_HOURS = 1_440;

/** The procedure for a CA near its end, in the warning and in the refusal. */
const CA_PROCEDURE =
  "Terraform does not renew it: a new CA would change the join token's CA hash (no server could join) and invalidate every certificate the cluster issued. " +
  'Move Rancher to a new deployment before then (build it, restore a rancher-backup there, repoint the name), docs/day-2.md "Lifetimes".';

/**
 * Lifetimes of the cluster's PKI that no apply may end silently (design
 * notes, "Lifetimes"):
 *
 * - each CA's end is recorded at the first apply (`terraform_data`, its input
 *   ignored later), and the deployment guard refuses every plan from that
 *   moment: the tls provider (4.1.0, `common_cert.go`) would otherwise plan a
 *   replacement as soon as a certificate is past its end (or its early renewal
 *   window), and the plan of the replacement no longer knows the old end;
 * - a `check` warns on every plan two years before a CA ends, and 60 days
 *   before the tls provider would replace the admin client certificate (its
 *   end less its early renewal: only a deployment made before that
 *   certificate lived as long as its CA gets there first).
 *
 * Returns the guard conditions.
 */
export function pkiLifetimes(scope: Construct, props: { readonly pki: ClusterPki; readonly checkName: string }): GuardCondition[] {
  const { pki } = props;
  const cas = [
    { id: 'server-ca-end', what: 'server CA (it signs the API and etcd serving certificates)', cert: pki.serverCa.cert },
    { id: 'client-ca-end', what: 'client CA (it signs every client certificate, the admin one included)', cert: pki.clientCa.cert },
  ].map((ca) => {
    const record = new TerraformData(scope, ca.id, { input: ca.cert.validityEndTime, lifecycle: { ignoreChanges: ['input'] } });
    return { ...ca, end: `${record.fqn}.input` };
  });
  const admin = pki.adminCert.fqn;
  // The address as text, for the command in the message (an fqn alone would render as an interpolation).
  const adminAddress = `${LocallySignedCert.tfResourceType}.${pki.adminCert.friendlyUniqueId}`;

  addCheck(scope, props.checkName, [
    ...cas.map((ca) => ({
      condition: `\${timecmp(plantimestamp(), timeadd(${ca.end}, "-${CA_WARNING_HOURS}h")) < 0}`,
      errorMessage: `The cluster's ${ca.what} ends at \${${ca.end}}. ${CA_PROCEDURE}`,
    })),
    {
      // The tls provider plans the replacement from `early_renewal_hours` before the end (ignore_changes keeps a
      // one-year certificate's 720): the warning comes 60 days before that moment, not before the end.
      condition: `\${timecmp(plantimestamp(), timeadd(${admin}.validity_end_time, format("-%dh", ${ADMIN_WARNING_HOURS} + ${admin}.early_renewal_hours))) < 0}`,
      errorMessage:
        `The admin client certificate (Terraform's access to the cluster, and the kubeconfig output) ends at \${${admin}.validity_end_time}, ` +
        `and from \${timeadd(${admin}.validity_end_time, format("-%dh", ${admin}.early_renewal_hours))} on (its early renewal) every plan would replace it. ` +
        'Renew it before then in an apply of its own (the cluster providers have no credentials in a plan that replaces it): ' +
        `terraform apply -replace=${adminAddress} -target=${adminAddress}, then apply as usual. The new one lives as long as its CA (docs/day-2.md, "Lifetimes").`,
    },
  ]);

  return cas.map((ca) => ({
    condition: `\${timecmp(plantimestamp(), ${ca.end}) < 0}`,
    errorMessage: `The cluster's ${ca.what} ended at \${${ca.end}}; this plan would replace it. ${CA_PROCEDURE}`,
  }));
}
