'use strict';
// Production's records of the hostname in its state as its module makes them with standby.region
// (lib/standby/standby-dns.ts), one rule for the failover's world (helpers/failover-world.ts) and the acceptance run's
// (fake-acceptance.js).

/** A SECONDARY record's name in production's module (StandbyDns: `secondary-<i>-alias`, i the record's place, A before AAAA). */
function secondaryName(module, type) {
  const prefix = `standby_dns_secondary-${type === 'AAAA' ? 1 : 0}-alias_`;
  return (
    Object.keys(module?.resource?.aws_route53_record ?? {}).find((n) => n.startsWith(prefix)) ?? `standby_dns_secondary-${type.toLowerCase()}-alias`
  );
}

/**
 * `state`'s records that `primary` picks made PRIMARY on `healthCheck` (their alias's evaluate_target_health false), each
 * with a SECONDARY of the same name and type aliased to `target` ({ dnsName, zoneId }; none without it); the
 * SECONDARY ones it held before replaced. Returns the PRIMARY records.
 */
function routeStateRecords(state, { primary, healthCheck, target, module }) {
  state.resources = state.resources.filter((r) => !String(r.name).startsWith('standby_dns_secondary-'));
  const primaries = state.resources.filter((r) => r.type === 'aws_route53_record' && primary(r.instances[0].attributes));
  for (const r of primaries) {
    const a = r.instances[0].attributes;
    Object.assign(a, { set_identifier: 'primary', failover_routing_policy: [{ type: 'PRIMARY' }], health_check_id: healthCheck });
    if (a.alias?.[0]) a.alias = [{ ...a.alias[0], evaluate_target_health: false }];
    if (!target) continue;
    state.resources.push({
      ...r,
      name: secondaryName(module, a.type),
      instances: [
        {
          ...r.instances[0],
          attributes: {
            ...a,
            set_identifier: 'standby',
            failover_routing_policy: [{ type: 'SECONDARY' }],
            health_check_id: '',
            alias: [{ name: target.dnsName, zone_id: target.zoneId, evaluate_target_health: false }],
          },
        },
      ],
    });
  }
  return primaries;
}

module.exports = { routeStateRecords, secondaryName };
