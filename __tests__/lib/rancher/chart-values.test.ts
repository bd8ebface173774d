import { tlsSchema } from '../../../lib/config/tls-schema';
import { reference } from '../../helpers/synth';
import { INGRESS_CLASS, NGINX_PROXY_TIMEOUTS, POST_DELETE, rancherChartValues, VERSION_MANAGEMENT_ENV } from '../../../lib/rancher/chart-values';

describe('rancherChartValues', () => {
  const input = { hostname: 'rancher.example.com', replicas: 3, ingressClassName: 'nginx', tls: tlsSchema.parse({}) };

  it('maps the input to the Rancher chart values', () => {
    expect(rancherChartValues(input)).toEqual({
      hostname: 'rancher.example.com',
      replicas: 3,
      ingress: {
        ingressClassName: 'nginx',
        includeDefaultExtraAnnotations: false,
        extraAnnotations: NGINX_PROXY_TIMEOUTS,
        tls: { source: 'rancher' },
      },
      postDelete: POST_DELETE,
    });
  });

  it("turns Rancher's version management of its local cluster off only where asked (the deployment upgrades the cluster itself)", () => {
    expect(rancherChartValues({ ...input, localVersionManagement: false }).extraEnv).toEqual([
      { name: 'CATTLE_IMPORTED_CLUSTER_VERSION_MANAGEMENT', value: 'false' },
    ]);
    expect(VERSION_MANAGEMENT_ENV).toBe('CATTLE_IMPORTED_CLUSTER_VERSION_MANAGEMENT');
    expect(rancherChartValues({ ...input, localVersionManagement: true }).extraEnv).toBeUndefined();
    expect(rancherChartValues(input).extraEnv).toBeUndefined();
  });

  it("sets the idle timeouts Rancher's websockets need on ingress-nginx (chart 2.14 no longer does), and no other annotation", () => {
    expect(NGINX_PROXY_TIMEOUTS).toEqual({
      'nginx.ingress.kubernetes.io/proxy-connect-timeout': '30',
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '1800',
      'nginx.ingress.kubernetes.io/proxy-send-timeout': '1800',
    });
  });

  it('lets destroy finish when an app uninstall in the post-delete hook times out, and uninstalls Turtles too', () => {
    expect(POST_DELETE).toEqual({
      ignoreTimeoutError: true,
      namespaceList: ['cattle-fleet-system', 'cattle-system', 'rancher-operator-system', 'cattle-turtles-system'],
    });
  });

  it('carries no secret', () => {
    const text = JSON.stringify(rancherChartValues(input));
    expect(text).not.toMatch(/password/i);
    expect(text).not.toMatch(/privateCA|secret/i);
  });

  it('passes a Terraform token hostname through', () => {
    const hostname = reference('var.rancher_hostname');
    expect(rancherChartValues({ ...input, hostname, replicas: 1 })).toMatchObject({ hostname, replicas: 1 });
  });

  // The values go into Fn.yamlencode(), whose string arguments cdktf escapes for `${` itself: only `%{` is escaped
  // here, or a `${` would arrive with one `$` too many (__tests__/template-injection.test.ts reads the stack).
  it('keeps text from the settings literal: a %{...} in an e-mail address is escaped, a ${...} left to cdktf', () => {
    const values = rancherChartValues({
      ...input,
      tls: tlsSchema.parse({ issuer: 'acme', acme: { email: '${file("/etc/passwd")}%{x}@example.com' } }),
    });
    expect((values.letsEncrypt as { email: string }).email).toBe('${file("/etc/passwd")}%%{x}@example.com');
  });

  it('is pure: the same input gives equal, independent output', () => {
    const a = rancherChartValues(input);
    const b = rancherChartValues(input);
    expect(a).toEqual(b);
    expect(a).not.toBe(b);
    expect(input).toEqual({ hostname: 'rancher.example.com', replicas: 3, ingressClassName: 'nginx', tls: tlsSchema.parse({}) });
  });

  it('names the ingress class of each RKE2 controller', () => {
    expect(INGRESS_CLASS).toEqual({ 'ingress-nginx': 'nginx', traefik: 'traefik' });
  });
});
