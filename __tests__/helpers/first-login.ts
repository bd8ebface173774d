import { RANCHER2_PROVIDER_VERSION } from '../../lib/rancher/rancher2-provider';
import { dataSources, resources, type TerraformJson } from './synth';

/**
 * What the first-login bootstrap must be in any synthesized stack: the
 * rancher2 provider in bootstrap mode at Rancher's name, verifying the
 * certificate against exactly what the `/ping` probe verified it against; the
 * bootstrap after that probe, through that provider, with the generated
 * bootstrap password as both passwords; its token and password as sensitive
 * outputs; or, when off, a `removed` block that forgets it.
 */
export function expectFirstLoginWiring(json: TerraformJson): void {
  expect(json.terraform.required_providers.rancher2).toEqual({ source: 'rancher/rancher2', version: RANCHER2_PROVIDER_VERSION });
  const providers = json.provider!.rancher2;
  expect(providers).toHaveLength(1);
  const [provider] = providers;
  expect(Object.keys(provider).sort()).toEqual(expect.arrayContaining(['alias', 'api_url', 'bootstrap', 'timeout']));
  expect(provider).toMatchObject({ bootstrap: true, timeout: expect.stringMatching(/^\d+s$/) });
  // Verification on, and written out, so RANCHER_INSECURE cannot turn it off.
  expect(provider.insecure).toBe(false);

  const pings = Object.entries(dataSources(json, 'http')).filter(
    ([name, d]) => name.startsWith('rancher-readiness_ping') && String(d.url).endsWith('/ping'),
  );
  expect(pings).toHaveLength(1);
  const [[pingName, ping]] = pings;
  // Rancher's name, as the probe reached it: the hostname variable, or the wildcard name of an Elastic IP; probed at a
  // load balancer under the name (no record leads the name there yet: hostnameRecord false), the name is its Host.
  const host = (ping.request_headers as Record<string, string> | undefined)?.Host;
  expect(`${provider.api_url}/ping`).toBe(host === undefined ? ping.url : `https://${host}/ping`);
  expect(provider.api_url).toMatch(
    /^https:\/\/(\$\{var\.rancher_hostname\}|\$\{replace\(aws_eip\.[^}]+\.public_ip, "\.", "-"\)\}\.(sslip|nip)\.io)$/,
  );
  // The CA the probe trusted; read from the cluster (Rancher's own), as pinned at the first login, so that a plan
  // deferring that read still knows it (FirstLogin pinCaCert).
  const pins = Object.entries(resources(json, 'terraform_data')).filter(([n]) => n.startsWith('first-login_trusted-ca_'));
  const readFromCluster = /^\$\{data\.(kubernetes_secret_v1\.[^.]+\.data\["tls\.crt"\]|http\.[^.]+_cacerts_[^.]+\.response_body)\}$/.test(
    String(ping.ca_cert_pem),
  );
  if (readFromCluster && Object.keys(resources(json, 'rancher2_bootstrap')).length) {
    expect(pins).toHaveLength(1);
    const [[pinName, pin]] = pins;
    expect(pin).toMatchObject({ input: ping.ca_cert_pem, lifecycle: { ignore_changes: ['input'] } });
    expect(Object.keys(pin).sort()).toEqual(['//', 'input', 'lifecycle']);
    expect(provider.ca_certs).toBe(`\${terraform_data.${pinName}.input}`);
  } else if (host !== undefined) {
    // Probed at the load balancer, TLS unverified there (the certificate names the hostname): the provider, unused
    // until the name leads here, trusts the CA read from the cluster (RancherReadiness's caCertPem), or the system roots.
    expect(pins).toEqual([]);
    expect(ping.insecure).toBe(true);
    expect(String(provider.ca_certs)).toMatch(/^(\$\{data\.kubernetes_secret_v1\.[^.]+\.data\["tls\.crt"\]\}|)$/);
  } else {
    expect(pins).toEqual([]);
    // No CA: the system roots, written as an empty ca_certs so RANCHER_CA_CERTS cannot add one.
    expect(provider.ca_certs).toBe(ping.ca_cert_pem ?? '');
  }

  const bootstraps = Object.entries(resources(json, 'rancher2_bootstrap'));
  const forgotten = (json.removed ?? []).filter((r) => r.from.startsWith('rancher2_bootstrap.'));
  const outputs = json.output ?? {};
  if (bootstraps.length === 0) {
    expect(forgotten).toEqual([
      { from: expect.stringMatching(/^rancher2_bootstrap\.first-login_bootstrap_[0-9A-F]{8}$/), lifecycle: { destroy: false } },
    ]);
    expect(outputs).not.toHaveProperty('rancher_admin_token');
    expect(outputs).not.toHaveProperty('rancher_admin_password');
    return;
  }
  expect(bootstraps).toHaveLength(1);
  expect(forgotten).toEqual([]);
  const [[name, bootstrap]] = bootstraps;
  expect(name).toMatch(/^first-login_bootstrap_[0-9A-F]{8}$/);
  expect(bootstrap.provider).toBe(`rancher2.${provider.alias}`);
  expect(bootstrap.depends_on).toEqual([`data.http.${pingName}`]);
  // One generated password: the chart's or container's bootstrap password, the first login's, and the one admin keeps.
  expect(bootstrap.initial_password).toMatch(/^\$\{random_password\.[^}]+\.result\}$/);
  expect(bootstrap.password).toBe(bootstrap.initial_password);
  expect(outputs.rancher_bootstrap_password.value).toBe(bootstrap.initial_password);
  expect(outputs.rancher_admin_token).toMatchObject({ sensitive: true, value: `\${rancher2_bootstrap.${name}.token}` });
  expect(outputs.rancher_admin_password).toMatchObject({ sensitive: true, value: `\${rancher2_bootstrap.${name}.current_password}` });
}
