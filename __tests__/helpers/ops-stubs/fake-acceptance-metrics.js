// The acceptance run's metrics phase against the fake cloud (required by fake-acceptance.js): the servers' services
// started through SSM, and CloudWatch's GetMetricData. world.acceptance holds:
//   cloudwatch      the datapoints sent: { namespace, name, value, at (ms), hiddenLooks }
//   metricDelay     how many GetMetricData calls a new datapoint stays unseen (default 2)
//   serverMetrics   by server name: { values: { <metric>: value } (what its scripts send), refused: { <metric>: HTTP
//                   status } (PutMetricData refused: logged, nothing arrives), silent: [<metric>] (logged as sent,
//                   never arrives: the wrong namespace or region) }
//   serverOs        { os, curl }: what /etc/os-release and curl --version say (default Ubuntu 24.04's)
//
// What the stub claims of upstream:
// - The servers (ours: lib/kubernetes/cert-renewal.sh main, backup-credentials.sh refresh, cluster-lib.sh
//   put_metric): a renewal run sends CertificateDaysLeft and RestartHeld (report_days_left, report_hold with the Lease
//   free); a successful refresh sends BackupCredentialsFailed 0 only when the failure marker
//   (/var/lib/rancher/rancher-aws/backup-credentials-failed) was there before it, else nothing; put_metric logs
//   "<NAME>=<VALUE> sent to CloudWatch (<namespace>)" or "could not send <NAME>=<VALUE> to CloudWatch (HTTP <n>)";
//   the namespace is the RESTART_METRIC_NAMESPACE of the server's bootstrap.env (read from the module's user data).
//   A systemd oneshot service's `systemctl start` returns when its run ended.
// - CloudWatch (API Reference, GetMetricData and MetricDataResult): a datapoint is not readable the moment it is put
//   (here: a number of reads later); a metric is matched by namespace, name and all its dimensions; StartTime is
//   rounded down to the minute (under 15 days ago) and is inclusive, EndTime exclusive; only periods holding data are
//   returned (no zeros, and an empty answer for a metric nobody sent, not an error), each timestamp a period's start,
//   newest first (ScanBy's default TimestampDescending); StatusCode Complete.
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { current } = require('./fake-acceptance-phase.js');

const MARKER = '/var/lib/rancher/rancher-aws/backup-credentials-failed';
const RENEWAL = 'rancher-aws-cert-renewal.service';
const REFRESH = 'rancher-aws-backup-credentials-refresh.service';

/** The namespace a server sends to: RESTART_METRIC_NAMESPACE in the module's server user data, as bootstrap.env has it. */
function serverNamespace(ctx) {
  const record = current(ctx.dir);
  const text = readFileSync(join(record.moduleDir, 'cdk.tf.json'), 'utf8');
  return /RESTART_METRIC_NAMESPACE=\\"([^\\"]+)\\"/.exec(text)?.[1];
}

/** A server's renewal run and refresh, as the command starts them: its journal's lines, and the datapoints it puts. */
/** A query's Dimensions ([{Name, Value}]) name exactly the point's (CloudWatch matches every dimension, no fewer). */
function sameDimensions(asked, held) {
  return asked.length === Object.keys(held).length && asked.every((d) => held[d.Name] === d.Value);
}

function runServices(ctx, server, command) {
  const a = ctx.world.acceptance;
  const own = a.serverMetrics?.[server.name] ?? {};
  const namespace = serverNamespace(ctx);
  const lines = [];
  const put = (script, name, value) => {
    const refused = own.refused?.[name];
    if (refused !== undefined) {
      lines.push(`${script}: could not send ${name}=${value} to CloudWatch (HTTP ${refused}); the next run sends it again`);
      return;
    }
    lines.push(`${script}: ${name}=${value} sent to CloudWatch (${namespace})`);
    if ((own.silent ?? []).includes(name)) return;
    // CertificateDaysLeft goes into the server's own series (cluster-lib.sh put_server_metric: dimension Server).
    const dimensions = name === 'CertificateDaysLeft' ? { Server: server.name } : {};
    a.cloudwatch = [...(a.cloudwatch ?? []), { namespace, name, value, dimensions, at: Date.now(), hiddenLooks: a.metricDelay ?? 2 }];
  };
  const value = (name, fallback) => own.values?.[name] ?? fallback;
  const out = [];
  const renewal = command.indexOf(`systemctl start ${RENEWAL}`);
  const refresh = command.indexOf(`systemctl start ${REFRESH}`);
  if (renewal >= 0) {
    put('/usr/local/sbin/rancher-aws-cert-renewal', 'CertificateDaysLeft', value('CertificateDaysLeft', 364));
    put('/usr/local/sbin/rancher-aws-cert-renewal', 'RestartHeld', value('RestartHeld', 0));
    out.push(`exit ${RENEWAL} 0`);
  }
  if (refresh >= 0) {
    const marked = command.slice(0, refresh).includes(MARKER);
    lines.push(
      '/usr/local/sbin/rancher-aws-backup-credentials: credentials of arn:aws:iam::123456789012:role/backup refreshed, valid until 2026-11-25T13:00:00Z',
    );
    if (marked) put('/usr/local/sbin/rancher-aws-backup-credentials', 'BackupCredentialsFailed', value('BackupCredentialsFailed', 0));
    out.push(`exit ${REFRESH} 0`);
  }
  const os = a.serverOs ?? { os: 'Ubuntu 24.04.3 LTS', curl: 'curl 8.5.0 (x86_64-pc-linux-gnu) libcurl/8.5.0 OpenSSL/3.0.13' };
  return [...out, ...(command.includes('journalctl') ? lines : []), `os ${os.os}`, `curl ${os.curl}`].join('\n') + '\n';
}

/** GetMetricData over the world's datapoints (see above). */
function getMetricData(ctx) {
  const { world, option } = ctx;
  const a = world.acceptance;
  const points = a.cloudwatch ?? [];
  for (const p of points) if (p.hiddenLooks > 0) p.hiddenLooks -= 1;
  const start = Math.floor(Date.parse(option('--start-time')) / 60_000) * 60_000;
  const end = Date.parse(option('--end-time'));
  const results = JSON.parse(option('--metric-data-queries')).map((q) => {
    const m = q.MetricStat.Metric;
    const period = q.MetricStat.Period * 1000;
    const seen = points.filter(
      (p) =>
        p.hiddenLooks <= 0 &&
        p.namespace === m.Namespace &&
        p.name === m.MetricName &&
        sameDimensions(m.Dimensions ?? [], p.dimensions ?? {}) &&
        p.at >= start &&
        p.at < end,
    );
    const byPeriod = new Map();
    for (const p of seen) {
      const at = start + Math.floor((p.at - start) / period) * period;
      byPeriod.set(at, [...(byPeriod.get(at) ?? []), p.value]);
    }
    const stat = {
      SampleCount: (v) => v.length,
      Sum: (v) => v.reduce((x, y) => x + y, 0),
      Maximum: (v) => Math.max(...v),
      Minimum: (v) => Math.min(...v),
      Average: (v) => v.reduce((x, y) => x + y, 0) / v.length,
    }[q.MetricStat.Stat];
    const periods = [...byPeriod.keys()].sort((x, y) => y - x);
    return {
      Id: q.Id,
      Label: m.MetricName,
      Timestamps: periods.map((t) => new Date(t).toISOString().replace('.000Z', '+00:00')),
      Values: periods.map((t) => stat(byPeriod.get(t))),
      StatusCode: 'Complete',
    };
  });
  ctx.save();
  ctx.finish(0, JSON.stringify({ MetricDataResults: results, Messages: [] }));
}

/** The phase's calls: GetMetricData, and SSM to a server that starts its services; false when the call is another's. */
function aws(ctx, service, operation) {
  const { world, option } = ctx;
  const a = world.acceptance;
  if (service === 'cloudwatch' && operation === 'get-metric-data') return getMetricData(ctx);
  if (service !== 'ssm') return false;
  if (operation === 'get-command-invocation') {
    const out = a.metricsInvocations?.[option('--command-id')];
    if (out === undefined) return false;
    ctx.finish(0, JSON.stringify({ Status: 'Success', StandardOutputContent: out, StandardErrorContent: '' }));
  }
  if (operation !== 'send-command') return false;
  const command = JSON.parse(option('--parameters')).commands.join('\n');
  if (!command.includes(`systemctl start ${RENEWAL}`) && !command.includes(`systemctl start ${REFRESH}`)) return false;
  const server = (world.cluster?.servers ?? []).find((s) => s.instance === option('--instance-ids') && !s.gone);
  if (!server) ctx.awsError('InvalidInstanceId', 'Instances not in a valid state for account');
  const id = `cmd-metrics-${Object.keys(a.metricsInvocations ?? {}).length + 1}`;
  a.metricsInvocations = { ...a.metricsInvocations, [id]: runServices(ctx, server, command) };
  a.metricsCommands = [...(a.metricsCommands ?? []), { server: server.name, command }];
  ctx.finish(0, JSON.stringify({ Command: { CommandId: id } }));
}

module.exports = { aws };
