import { z } from 'zod';
import { cidr, PORT } from './primitives';
import type { ProxySettings, Expect, SameType } from './sections';

export type { ProxySettings } from './sections';

/**
 * A proxy URL. It ends up in user data, env files and chart values, so it
 * may carry no credentials (user data is readable with
 * ec2:DescribeInstanceAttribute) and no character that needs quoting.
 */
const PROXY_URL = /^https?:\/\/[A-Za-z0-9.:[\]/_-]+$/;
/** The port of a URL as written (the URL parser drops a default port and takes 0 and leading zeros), or undefined. */
const writtenPort = (url: string) => /^https?:\/\/(?:\[[^\]]*\]|[^:/[]*)(?::([^/]*))?/.exec(url)?.[1];

export const proxyUrl = z
  .string()
  .regex(PROXY_URL, {
    message: 'expected a proxy URL such as http://proxy.internal:3128 (no credentials, no quotes or spaces)',
  })
  // What the URL parser (and so curl, containerd, Go's proxy support) refuses: a port above 65535, a malformed host;
  // and port 0, which the parser takes but nothing listens on (a port as the air gap URLs take it, PORT).
  .refine(
    (url) => {
      if (!PROXY_URL.test(url)) return true;
      const port = writtenPort(url);
      return URL.canParse(url) && (port === undefined || new RegExp(`^${PORT}$`).test(port));
    },
    { message: 'expected a proxy URL with a valid host and a port from 1 to 65535' },
  );

/** A NO_PROXY entry: a host, a domain suffix (.example.com), an IP or a CIDR. */
export const noProxyEntry = z.string().regex(/^[A-Za-z0-9.*:/_-]+$/, { message: 'expected a host name, .domain suffix, IP address or CIDR block' });

/**
 * `proxy`: the outbound HTTP(S) proxy every stack uses when set — nodes
 * (installers, RKE2/K3s, containerd, Docker), Rancher (chart `proxy` /
 * `noProxy`, the container's environment).
 */
export const proxySchema = z
  .strictObject({
    /** HTTP proxy URL for nodes and Rancher, e.g. `http://proxy.internal:3128` (no credentials) */
    http: proxyUrl.optional(),
    /** HTTPS proxy URL (no credentials). Unset: `http` serves both schemes. */
    https: proxyUrl.optional(),
    /** Added to the built-in list (loopback, instance metadata, the VPC, the cluster networks, cluster-internal names). */
    noProxy: z.array(noProxyEntry).default([]),
    /**
     * Close the nodes' egress except to the VPC and these networks (the
     * proxy's). Empty: egress stays open.
     */
    egressOnlyTo: z.array(cidr).default([]),
  })
  .prefault({});

/** The schema's output is the plain section type (a compile error otherwise). */
export type ProxySettingsHeld = Expect<SameType<z.output<typeof proxySchema>, ProxySettings>>;
