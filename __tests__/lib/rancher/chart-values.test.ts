import { tlsSchema } from '../../../lib/config/tls-schema';
import { certificateWaitObjects } from '../../../lib/rancher/certificate-wait';
import { INGRESS_CLASS, rancherChartValues } from '../../../lib/rancher/chart-values';

describe('rancherChartValues', () => {
  const input = { hostname: 'rancher.example.com', replicas: 3, ingressClassName: 'nginx', tls: tlsSchema.parse({}) };

  it('maps the input to the Rancher chart values', () => {
    expect(rancherChartValues(input)).toEqual({
      hostname: 'rancher.example.com',
      replicas: 3,
      ingress: { ingressClassName: 'nginx', tls: { source: 'rancher' } },
      extraObjects: certificateWaitObjects(),
    });
  });

  it('carries no secret', () => {
    const text = JSON.stringify(rancherChartValues(input));
    expect(text).not.toMatch(/password/i);
    expect(text).not.toMatch(/privateCA|secret/i);
  });

  it('passes a Terraform token hostname through', () => {
    expect(rancherChartValues({ ...input, hostname: '${var.rancher_hostname}', replicas: 1 })).toMatchObject({ hostname: '${var.rancher_hostname}', replicas: 1 });
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
