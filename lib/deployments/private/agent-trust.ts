import { Fn, Token } from 'cdktf';
import type { RecordedSetting } from '../../common/deployment-guard';
import { AGENT_CA, type AcceptAgentChangeSettings } from '../../config/accept-agent-change-schema';
import { usesPrivateCa } from '../../tls/tls-plan';

/** The guard's record of the CA downstream agents trust (`terraform_data.deployment-guard_record-agentCa_<hash>`). */
export const AGENT_CA_RECORD = 'agentCa';

/** Where Rancher documents moving the agents: its docs page, the sections, the steps (read in rancher/rancher-docs). */
const AGENT_DOCS =
  'Rancher\'s docs, "Updating the Rancher Certificate": step 4 of "Updating a Private CA Certificate" ' +
  '(annotate each downstream cluster, clusters.management.cattle.io <id>, with io.cattle.agent.force.deploy=true while it is still connected, ' +
  'so its agents are redeployed with the new CATTLE_CA_CHECKSUM), or of "Updating from a Private CA Certificate to a Public CA Certificate" ' +
  '(CATTLE_CA_CHECKSUM emptied), then step 5, Force Update of the clusters in Continuous Delivery for the fleet agents';

/** The TLS choice the CA follows from (RancherOnRke's and RancherOnExistingCluster's rancher.tls, RancherOnDocker's tls). */
export interface AgentTlsChoice {
  readonly issuer: string;
  readonly privateCA?: boolean;
  /** Let's Encrypt staging at the ingress: a certificate nothing trusts. */
  readonly untrusted?: boolean;
}

/**
 * The CA agents verify Rancher against, for the guard: Rancher's own (issuer
 * rancher: made once in the cluster or the data volume, whatever the TLS
 * mode), the user's private CA (issuer ca, or blank with privateCA: the text
 * of tls_ca_certificate_pem, which Rancher publishes as cacerts byte for byte
 * and agents check against CATTLE_CA_CHECKSUM, so its SHA-256; a hash of a
 * public certificate, nothing secret), or a public CA (no cacerts published:
 * agents use their system store, and one public CA may follow another). Where
 * TLS ends (`mode`) changes none of these: the same CA signs what the ingress,
 * the load balancer or the container serves.
 */
export function agentCa(tls: AgentTlsChoice, caCertificate: () => string): { value: string; reference: boolean } {
  if (tls.issuer === 'rancher') return { value: AGENT_CA.rancher, reference: false };
  if (usesPrivateCa(tls)) return { value: Fn.format(`${AGENT_CA.privatePrefix}%s`, [Fn.nonsensitive(Fn.sha256(caCertificate()))]), reference: true };
  return { value: tls.untrusted ? AGENT_CA.staging : AGENT_CA.public, reference: false };
}

export interface AgentTrustProps {
  /** The prop of the TLS choice, for the message: `rancher.tls`, or RancherOnDocker's `tls`. */
  readonly tlsSetting: string;
  readonly tls: AgentTlsChoice;
  /** The `tls_ca_certificate_pem` variable's value; asked only with a private CA. */
  readonly caCertificate: () => string;
  /** Rancher's name, or undefined where other records hold it (a wildcard name, DNS round robin). */
  readonly hostname?: string;
  readonly accept: AcceptAgentChangeSettings;
}

/**
 * The guard's records of what every downstream cluster's agents depend on:
 * Rancher's name (their server-url) and the CA they trust. Either changed on a
 * running deployment leaves them unable to reach Rancher (rancher/rancher#14731)
 * until they are redeployed; `rancher.acceptAgentChange` accepts one named value.
 */
export function agentTrustRecords(props: AgentTrustProps): RecordedSetting[] {
  const ca = agentCa(props.tls, props.caCertificate);
  const records: RecordedSetting[] = [];
  if (props.hostname !== undefined) {
    records.push({
      setting: 'hostname',
      value: props.hostname,
      reference: Token.isUnresolved(props.hostname),
      acceptedBy: 'rancher.acceptAgentChange.hostname',
      acceptedValue: props.accept.hostname,
      procedure: `It is Rancher's server-url, which every downstream cluster's agents dial: they lose Rancher when it changes (rancher/rancher#14731). ${hostnameSteps()}`,
    });
  }
  records.push({
    setting: `the CA agents trust (${props.tlsSetting})`,
    recordedAs: AGENT_CA_RECORD,
    ...ca,
    // Nothing trusts Let's Encrypt staging: no agent can depend on it, so leaving it is taken.
    acceptedFrom: [AGENT_CA.staging],
    acceptedBy: 'rancher.acceptAgentChange.ca',
    acceptedValue: props.accept.ca,
    procedure:
      'Agents check the CA Rancher publishes (cacerts) against their CATTLE_CA_CHECKSUM, or with a public CA use their system store: ' +
      'another CA, or a switch between a private and a public one, leaves every downstream cluster unable to connect (rancher/rancher#14731). ' +
      `Apply it, then at once move every cluster's agents: ${AGENT_DOCS} (docs/day-2.md, "Rancher's name and CA").`,
  });
  return records;
}

/** What moving the agents to a new name takes, for the messages of both hostname records. */
export function hostnameSteps(): string {
  return (
    'The apply moves the DNS record and the ingress to the new name, so the agents cannot reach the old one even for their own update. After the apply (which moves server-url to the new name when the first-login bootstrap is on; otherwise set it yourself), ' +
    'then redeploy every cluster\'s agents from the cluster itself: Rancher\'s docs, "Updating the Rancher Certificate", step 4, method 3 ' +
    "(the cluster's registration command from /v3/clusterregistrationtokens?clusterId=<id>, run with that cluster's own kubeconfig), then step 5 for the fleet agents " +
    '(docs/day-2.md, "Rancher\'s name and CA").'
  );
}
