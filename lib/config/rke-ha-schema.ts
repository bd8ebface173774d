import { z } from 'zod';
import { cronExpression } from './cron-expression';
import { createdVpcCidr, rkeExistingNetworkSchema } from './existing-network-schema';
import { RANCHER_SERVER_MINIMUM, sectionInstanceTypeProblem } from './instance-types';
import { amiId, instanceType, keyPairName, oneOfNumbers, vpcCidr, wholeNumber } from './primitives';
import { SERVER_ARCHITECTURES, SERVER_OPERATING_SYSTEMS } from './sections';

/**
 * The steps of a running RKE2 deployment's move from ingress-nginx to Traefik (`ingressMigration`), in order:
 * Traefik beside ingress-nginx on the side ports, the load balancer moved to them, ingress-nginx taken out.
 */
export const INGRESS_MIGRATION_STEPS = ['beside', 'moved', 'done'] as const;
export type IngressMigrationStep = (typeof INGRESS_MIGRATION_STEPS)[number];

/** The `rkeHa` section's fields: the RancherOnRKE stack, and RancherOnRke's own props. */
export const RKE_HA_FIELDS = {
  /**
   * Server nodes: 3 (HA) or 1 (single-node Kubernetes install). Growing from
   * 1 to 3 adds two servers that join the first; nothing is replaced.
   */
  nodeCount: oneOfNumbers([1, 2, 3], 'expected 1, 2 or 3').optional(),
  /**
   * Let one apply remove more than one server (below etcd quorum): a shrink from 3 to 1 after the extra members left
   * etcd one at a time (docs/day-2.md, "Day 2"). rke2 only.
   */
  allowQuorumLoss: z.boolean().default(false),
  /**
   * Kubernetes distribution of the Rancher server cluster: `rke2` (embedded
   * etcd, 3 servers) or `k3s` (external RDS datastore, 2 servers).
   */
  distribution: z.enum(['rke2', 'k3s']).default('rke2'),
  /** The K3s external datastore (distribution k3s). */
  datastore: z
    .strictObject({
      /** k3s: `postgres` (16) or `mysql` (8.4) */
      engine: z.enum(['postgres', 'mysql']).default('postgres'),
      /** k3s: RDS instance class */
      instanceClass: z
        .string()
        .regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, { message: 'expected an RDS instance class such as db.t4g.medium' })
        .default('db.t4g.medium'),
      /** k3s: encrypted gp3 storage */
      allocatedStorageGb: wholeNumber(20, 65536).default(50),
      /** k3s: standby in a second zone */
      multiAz: z.boolean().default(true),
      /** k3s: automated backups (1–35 days) */
      backupRetentionDays: wholeNumber(1, 35).default(7),
      /** RDS deletion protection and Terraform `prevent_destroy`: destroy and replacement are refused at plan time. */
      deletionProtection: z.boolean().default(true),
      /** Seconds between RDS Enhanced Monitoring samples (operating-system metrics); 0 is off. */
      monitoringInterval: oneOfNumbers([0, 1, 5, 10, 15, 30, 60], 'expected 0 (off), 1, 5, 10, 15, 30 or 60').default(0),
      /** Publish the engine's logs to CloudWatch Logs. */
      logExports: z.boolean().default(false),
      /** RDS IAM database authentication (K3s keeps connecting with its password; see docs/settings-file.md). */
      iamAuthentication: z.boolean().default(false),
      /** Port the database listens on. Default: the engine's (5432, 3306). */
      port: wholeNumber(1150, 65535).optional(),
    })
    .prefault({}),
  /**
   * An EC2 type of the project's table (lib/config/instance-types.ts): at least Rancher's "small" tier, 4 vCPU /
   * 16 GiB per node; of the servers' `architecture`.
   */
  instanceType: instanceType.default('m6i.xlarge'),
  /** Allow an instance type below Rancher's smallest documented server size (4 vCPU / 16 GiB), for a trial. */
  allowSmallInstanceType: z.boolean().default(false),
  /** Encrypted gp3 root volume per node (40–16384) */
  rootVolumeGb: wholeNumber(40, 16384).default(100),
  /** The VPC the stack creates (default DEFAULT_VPC_CIDR, see effectiveVpcCidr); not with existingNetwork. */
  vpcCidr: vpcCidr.optional(),
  /** Put the nodes in private subnets (egress through NAT); the load balancers stay public. */
  privateNodes: z.boolean().default(false),
  /** With privateNodes: one NAT gateway per zone (the default), or a single one (cheaper, one zone's outage cuts egress). */
  natGateways: z.enum(['per-zone', 'single']).optional(),
  /**
   * IPv4 and IPv6: an Amazon-provided IPv6 block on the VPC and subnets (an existing network must have them),
   * dual-stack load balancers with AAAA records, an IPv6 address per server, pods and services in both families.
   * Only when the cluster is created: see
   * [IPv6 (dual-stack)](rke-ha.md#ipv6-dual-stack).
   */
  dualStack: z.boolean().default(false),
  /** What answers Rancher's name, and how it is protected. */
  loadBalancer: z
    .strictObject({
      /**
       * `nlb`, a TCP Network Load Balancer in front of the nodes, or `dns`, no
       * load balancer: Route53 multivalue-answer records, one per node's
       * Elastic IP, each with an HTTPS health check on `/ping` (the Rancher
       * docs' DNS round robin with backend-health-aware DNS).
       */
      type: z.enum(['nlb', 'dns']).default('nlb'),
      /**
       * AWS deletion protection and Terraform `prevent_destroy` on the load balancers: a plan that would delete or
       * replace one (a destroy included) is refused before anything is touched.
       */
      deletionProtection: z.boolean().default(true),
      /**
       * `false`: no Route53 record for `hostname`; `/ping` is probed at the NLB (a [failover](failover.md)'s
       * standby). Needs `type: nlb`, TLS in the cluster (not `acme`), `rancher.bootstrap.enabled: false`.
       */
      hostnameRecord: z.boolean().default(true),
    })
    .prefault({}),
  /** A VPC and subnets to use instead of creating a network. */
  existingNetwork: rkeExistingNetworkSchema.optional(),
  /**
   * Pin an exact AMI, of the `operatingSystem` family (its user data assumes it). Default: the newest image of
   * `operatingSystem` and `architecture` at first deploy, then kept.
   */
  amiId: amiId.optional(),
  /**
   * CPU architecture of the servers: `x86_64` (Intel, AMD) or `arm64` (Graviton; Rancher calls arm64
   * experimental). Chooses the image, the release installed, and holds `instanceType` to it. Default: x86_64;
   * with `amiId`, the `instanceType`'s (a Graviton type: arm64).
   */
  architecture: z.enum(SERVER_ARCHITECTURES).optional(),
  /**
   * The servers' operating system: `ubuntu-24.04`, or `rhel-9` / `rocky-9` (SELinux enforcing, RKE2's or
   * K3s' SELinux policy from rpm.rancher.io, firewalld and nm-cloud-setup off). With `amiId`: the family of
   * that image. SLE Micro is not offered (docs/rke-ha.md, "Operating system"). Outside the commercial partition,
   * the lookup asks that partition's publisher (Ubuntu, RHEL); `rocky-9` in China and GovCloud is refused
   * without `amiId` (no published images found there).
   */
  operatingSystem: z.enum(SERVER_OPERATING_SYSTEMS).default('ubuntu-24.04'),
  /** Existing EC2 key pair; SSH stays closed unless set (SSM Session Manager is the shell). */
  sshKeyName: keyPairName.optional(),
  /**
   * Pinned in the RKE2 config so a version bump never swaps it silently. Default: traefik (RKE2's rke2-traefik; K3s
   * always brings Traefik), with every `rancher.tls.mode`. ingress-nginx (rke2 only) was retired upstream in March 2026: no more security fixes. A
   * running deployment keeps the controller it was created with: its guard refuses a plan that would switch it
   * (except from ingress-nginx to traefik through `ingressMigration`), and a deployment created with the old default
   * (ingress-nginx) names it here to keep it (docs/day-2.md).
   */
  ingressController: z.enum(['ingress-nginx', 'traefik']).optional(),
  /**
   * A running RKE2 deployment created with ingress-nginx, moved to Traefik in three steps, each an apply and
   * (`beside`, `done`) a roll of the servers (docs/day-2.md, "Off ingress-nginx"): `beside` runs Traefik beside
   * ingress-nginx on the side ports 8000/8443, `moved` points the load balancer's 80/443 at them, `done` takes
   * ingress-nginx out and moves Rancher's ingress to Traefik. Needs `ingressController: traefik`; `done` stays set
   * (Traefik keeps the side ports behind the load balancer). Never set on a new deployment.
   */
  ingressMigration: z.enum(INGRESS_MIGRATION_STEPS).optional(),
  /**
   * `cis`: RKE2's CIS hardening profile (rke2 only): the `profile` setting, the etcd user and group, the kernel
   * parameters, Pod Security `restricted` outside the namespaces that need exemption (docs/security.md, "CIS
   * profile"). Unset: RKE2's defaults, Pod Security `privileged`.
   */
  profile: z.enum(['cis']).optional(),
  etcdSnapshots: z
    .strictObject({
      /** The etcd snapshot schedule (UTC) */
      scheduleCron: cronExpression('0 */6 * * *', 'RKE2 would refuse it at start-up').default('0 */6 * * *'),
      /** Snapshots kept per server on its disk; S3 keeps the cluster's newest 3 × this (`etcd-s3-retention`, the same on every server: see "Shrinking, losing servers, restoring") */
      retention: wholeNumber(1, 1000).default(28),
      /** Let `destroy` delete the snapshot bucket with its contents. */
      forceDestroyBucket: z.boolean().default(false),
      /** S3 server access logs of the bucket, into a log bucket of its own (kept a year). */
      accessLogging: z.boolean().default(false),
      /** S3 event notifications (snapshots written, deleted) to an SNS topic of the stack's, for alerts. */
      eventNotifications: z.boolean().default(false),
      /**
       * Object Lock on, without a default retention (RKE2's uploads would be refused under one); irreversible.
       * Versions can then be locked one at a time.
       */
      objectLock: z.boolean().default(false),
    })
    .prefault({}),
};

/**
 * The rules between the `rkeHa` section's fields (RKE2 keeps etcd on the servers: quorum needs an odd count; K3s keeps
 * its state in the datastore), its messages naming the settings with `name`: `rkeHa.instanceType` for a settings file
 * (app/config/section-schemas.ts), `instanceType` for RancherOnRke's flat props (deployment-schema.ts). They run even when a field
 * failed, so one run reports everything.
 */
export function rkeHaRules(name: (field: string) => string) {
  return (s: z.output<z.ZodObject<typeof RKE_HA_FIELDS>>, ctx: z.RefinementCtx): void => {
    // Runs even when the section is not a mapping (an empty `rkeHa:` is null); the type error is reported already.
    if (!s || typeof s !== 'object') return;
    if (s.distribution === 'k3s' && s.ingressController === 'ingress-nginx') {
      ctx.addIssue({
        code: 'custom',
        path: ['ingressController'],
        message: 'K3s brings Traefik; leave it unset or set traefik with distribution k3s',
        input: 'ingress-nginx',
      });
    }
    if (s.ingressMigration !== undefined && (s.distribution === 'k3s' || s.ingressController !== 'traefik')) {
      ctx.addIssue({
        code: 'custom',
        path: ['ingressMigration'],
        message:
          s.distribution === 'k3s'
            ? 'moves an RKE2 deployment off ingress-nginx; K3s runs Traefik already: leave it unset'
            : 'moves a deployment to Traefik: set ingressController traefik with it (docs/day-2.md, "Off ingress-nginx")',
        input: s.ingressMigration,
      });
    } else if (s.ingressMigration !== undefined && s.loadBalancer?.type === 'dns') {
      ctx.addIssue({
        code: 'custom',
        path: ['ingressMigration'],
        message:
          "moves the NLB's 80 and 443 to Traefik's side ports; with loadBalancer type dns clients reach the servers' own 80 and 443, which ingress-nginx holds until it is gone: not offered (docs/day-2.md, \"Off ingress-nginx\")",
        input: s.ingressMigration,
      });
    }
    if (s.distribution === 'k3s' && s.profile === 'cis') {
      ctx.addIssue({
        code: 'custom',
        path: ['profile'],
        message:
          "cis is RKE2's CIS profile; K3s has no such setting, and its hardening guide (API server, controller-manager and kubelet flags, admission and audit files written by hand) is not applied by this deployment: use distribution rke2 for a CIS-hardened cluster, or leave profile unset",
        input: 'cis',
      });
    }
    if (s.loadBalancer?.type === 'dns' && s.privateNodes === true) {
      ctx.addIssue({
        code: 'custom',
        path: ['loadBalancer', 'type'],
        message:
          "dns answers Rancher's name with each node's Elastic IP, and nodes in private subnets have none; use loadBalancer type nlb with privateNodes, or public nodes",
        input: 'dns',
      });
    }
    if (s.dualStack === true && s.loadBalancer?.type === 'dns') {
      ctx.addIssue({
        code: 'custom',
        path: ['dualStack'],
        message:
          "is not offered with loadBalancer type dns yet: DNS round robin answers Rancher's name with each node's Elastic IP (IPv4) and health-checks those; use loadBalancer type nlb with dualStack",
        input: true,
      });
    }
    if (s.distribution !== 'k3s' && s.nodeCount === 2) {
      ctx.addIssue({
        code: 'custom',
        path: ['nodeCount'],
        message: 'expected 1 or 3 with rke2 (etcd needs an odd number of members); 2 servers fit distribution k3s',
        input: 2,
      });
    }
    for (const p of existingNetworkProblems(s)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message, input: p.value });
    const typeProblem = sectionInstanceTypeProblem(s, RANCHER_SERVER_MINIMUM, name);
    if (typeProblem) ctx.addIssue({ code: 'custom', path: ['instanceType'], message: typeProblem, input: s.instanceType });
  };
}

/** Most servers a deployment runs (rke2 3, k3s 3): at most one node subnet each. */
const MAX_SERVERS = 3;

/**
 * The rules between `existingNetwork` and the rest of the section: the
 * network the stack would create is refused beside it, and the subnet counts
 * must fit the servers. Runs on a section that may have failed elsewhere, so
 * it checks the types it relies on.
 */
function existingNetworkProblems(s: Record<string, unknown>): { path: (string | number)[]; message: string; value: unknown }[] {
  const net = s.existingNetwork as Record<string, unknown> | null | undefined;
  if (!net || typeof net !== 'object') return [];
  const problems: { path: (string | number)[]; message: string; value: unknown }[] = [];
  const refuse = (path: (string | number)[], message: string, value: unknown) => problems.push({ path, message, value });
  if (s.vpcCidr !== undefined) {
    refuse(
      ['vpcCidr'],
      'the stack creates no VPC with existingNetwork; remove vpcCidr (the servers take their addresses from the node subnets of existingNetwork)',
      s.vpcCidr,
    );
  }
  if (s.privateNodes === true) {
    refuse(
      ['privateNodes'],
      'with existingNetwork the servers go in its node subnets, private or public as those subnets are; remove privateNodes',
      true,
    );
  }
  if (s.natGateways !== undefined) {
    refuse(
      ['natGateways'],
      'the stack creates no NAT gateway with existingNetwork (private node subnets bring their own egress, checked at plan time); remove natGateways',
      s.natGateways,
    );
  }
  const k3s = s.distribution === 'k3s';
  const servers = effectiveNodeCount({
    distribution: k3s ? 'k3s' : 'rke2',
    nodeCount: s.nodeCount === 1 || s.nodeCount === 2 || s.nodeCount === 3 ? s.nodeCount : undefined,
  });
  const count = (key: string) => (Array.isArray(net[key]) ? (net[key] as unknown[]).length : undefined);
  const subnets = (n: number) => `${n} subnet${n === 1 ? '' : 's'}`;
  const nodes = count('nodeSubnetIds');
  if (nodes !== undefined && nodes < servers) {
    refuse(
      ['existingNetwork', 'nodeSubnetIds'],
      `lists ${subnets(nodes)}, and the ${servers} servers go one per subnet, each in a zone of its own; list ${servers}`,
      subnets(nodes),
    );
  } else if (nodes !== undefined && nodes > MAX_SERVERS) {
    refuse(
      ['existingNetwork', 'nodeSubnetIds'],
      `lists ${subnets(nodes)}; a deployment has at most ${MAX_SERVERS} servers, one per subnet`,
      subnets(nodes),
    );
  }
  const balancers = count('loadBalancerSubnetIds');
  if (balancers !== undefined && balancers < servers) {
    refuse(
      ['existingNetwork', 'loadBalancerSubnetIds'],
      `lists ${subnets(balancers)}, and the load balancer needs one in each of the ${servers} servers' zones (it sends nothing to a zone it has no subnet in)`,
      subnets(balancers),
    );
  }
  const datastore = count('datastoreSubnetIds');
  if (k3s && datastore === undefined) {
    refuse(
      ['existingNetwork', 'datastoreSubnetIds'],
      'is required with distribution k3s and existingNetwork: the RDS datastore needs subnets in at least two zones (private ones, without a route from the internet)',
      undefined,
    );
  } else if (k3s && datastore !== undefined && datastore < 2) {
    refuse(['existingNetwork', 'datastoreSubnetIds'], `lists ${subnets(datastore)}; RDS needs subnets in at least two zones`, subnets(datastore));
  } else if (!k3s && datastore !== undefined) {
    refuse(
      ['existingNetwork', 'datastoreSubnetIds'],
      'only for distribution k3s (rke2 keeps the cluster state in etcd on the servers); remove it',
      subnets(datastore),
    );
  }
  return problems;
}

/** The VPC range the rke-ha stack creates (undefined with an existing network). */
export const effectiveVpcCidr: (s: Pick<RkeHaOwnProps, 'vpcCidr' | 'existingNetwork'>) => string | undefined = createdVpcCidr;

/** NAT gateways of private nodes: the setting, or one per zone. */
export function effectiveNatGateways(s: Pick<RkeHaOwnProps, 'natGateways'>): 'per-zone' | 'single' {
  return s.natGateways ?? 'per-zone';
}

/** Servers per distribution when `nodeCount` is not set: the HA layouts of the Rancher docs. */
export const DEFAULT_NODE_COUNT = { rke2: 3, k3s: 2 } as const;

/** RancherOnRke's own props (the rke-ha fields, flat in its props), completed. */
export type RkeHaOwnProps = z.output<z.ZodObject<typeof RKE_HA_FIELDS>>;

/**
 * The ingress controller a new cluster runs when `ingressController` is unset: Traefik, which both distributions
 * package and which is not retired upstream (ingress-nginx was, in March 2026; RKE2 makes Traefik its default from
 * 1.36).
 */
export const DEFAULT_INGRESS_CONTROLLER = 'traefik';

/**
 * The ingress controller the cluster runs: the setting, else Traefik, whatever the TLS mode (`rancher.tls.mode`
 * `rancher` and `external` have their Traefik configuration; before, they kept ingress-nginx).
 */
export function effectiveIngressController(s: Partial<Pick<RkeHaOwnProps, 'ingressController'>> | undefined): 'ingress-nginx' | 'traefik' {
  return s?.ingressController ?? DEFAULT_INGRESS_CONTROLLER;
}

/** The server count: the setting, or the distribution's HA layout. */
export function effectiveNodeCount(s: Pick<RkeHaOwnProps, 'distribution' | 'nodeCount'>): 1 | 2 | 3 {
  return s.nodeCount ?? DEFAULT_NODE_COUNT[s.distribution];
}
