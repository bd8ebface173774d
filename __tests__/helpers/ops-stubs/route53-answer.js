// What Route 53's resolvers answer for a name, as the fake AWS keeps its records and alarms (fake-aws/README.md, "Route
// 53": failover routing), one rule for the fake Route 53 (fake-aws/fake-route53.ts) and the stubs' resolver (curl in
// fake-drill.js). What it rests on:
// - a failover pair (records of one name and type with Failover PRIMARY and SECONDARY): Route 53 answers the PRIMARY
//   while its health check is healthy, the SECONDARY while it is not; a record without a health check counts as
//   healthy; when both are unhealthy, or the SECONDARY is missing, the PRIMARY is answered (Route 53 Developer Guide,
//   "Active-passive failover" and "How Amazon Route 53 chooses records when health checking is configured");
// - a health check of type CLOUDWATCH_METRIC follows its alarm in its region: unhealthy in ALARM, healthy in OK; with
//   insufficient data (INSUFFICIENT_DATA, or no such alarm there) as its InsufficientDataHealthStatus says: Healthy,
//   Unhealthy, or LastKnownStatus, the status when the alarm last had data, healthy for a health check that never had
//   one (Route 53 API Reference, HealthCheckConfig, InsufficientDataHealthStatus). The alarm's last state with data is
//   what the fake CloudWatch keeps as `lastData` (Route 53 watches the alarm all along; the fake asks when asked).
'use strict';

/** Whether the health check `id` is healthy, with `alarms` the world's (by name: { region, state, lastData }). */
function healthy(healthChecks, alarms, id) {
  if (!id) return true;
  const check = (healthChecks ?? {})[id];
  if (!check) return true;
  const alarm = (alarms ?? {})[check.alarmName];
  const there = alarm && (alarm.region ?? check.alarmRegion) === check.alarmRegion ? alarm : undefined;
  const state = there?.state ?? 'INSUFFICIENT_DATA';
  if (state === 'ALARM') return false;
  if (state === 'OK') return true;
  const rule = check.insufficientDataHealthStatus ?? 'LastKnownStatus';
  if (rule === 'Healthy') return true;
  if (rule === 'Unhealthy') return false;
  return there?.lastData !== 'ALARM';
}

/**
 * The record a resolver gets for `name` and `type` in `zones` (the fake's: { records }), or undefined: a simple record
 * as it is, a failover pair by the rule above.
 */
function answer(zones, healthChecks, alarms, name, type) {
  const fq = `${String(name).replace(/\.$/, '').toLowerCase()}.`;
  const sets = Object.values(zones ?? {})
    .flatMap((z) => z.records)
    .filter((r) => r.Name === fq && r.Type === type);
  const primary = sets.find((r) => r.Failover === 'PRIMARY');
  if (!primary) return sets[0];
  const secondary = sets.find((r) => r.Failover === 'SECONDARY');
  if (healthy(healthChecks, alarms, primary.HealthCheckId) || !secondary || !healthy(healthChecks, alarms, secondary.HealthCheckId)) return primary;
  return secondary;
}

module.exports = { answer, healthy };
