import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAILOVER_RECORD, RESTORE_VARIABLE } from '../shared/failover-record';
import { Interrupted } from '../shared/poll';
import { productionDeployment } from '../shared/production';
import { operationTags } from '../shared/settings-file';
import { withEnvironment } from '../shared/scoped-environment';
import { Terraform } from '../shared/terraform';
import { initAndApply, readModuleJson, StepFailed, synthesize } from '../shared/throwaway';
import type { FailoverOptions } from './failover';
import { standbySettings } from './failover-settings';
import {
  datastoreAhead,
  PREPARED_FILE,
  pilotLightProblems,
  pilotLightTargets,
  standbyModuleProblems,
  standbyStateParameter,
  standbyTargetOf,
  standbyTargetParameter,
} from './pilot-light';
import { rtoStackOf } from './rto-model';

// `npm run failover -- <stack> --prepare` (docs/failover.md): the standby's pilot light applied ahead of the outage,
// after each deploy of production. The standby's module synthesized as the failover synthesizes it (standbySettings),
// and of it, with `-target`, what a failover could not make in the outage: whatever goes through a global control
// plane (IAM, S3 buckets and their configuration, Route 53 health checks), whatever lives outside the standby region,
// and the load balancer the name moves to; and K3s' datastore, which it could make but too slowly for its RTO; with
// what they depend on and nothing else that runs (pilot-light.ts).

/** The SDK's side, loaded at the first SDK call (scripts/build.js bundles it apart). */
const sdkSide = () => import('../shared/aws/sdk-side');

/** Where the prepare stands: the failover's own checks passed (settings, scope, the standby's name). */
export interface Prepare {
  readonly region: string;
  readonly name: string;
  readonly productionName: string;
  readonly moduleDir: string;
}

export async function prepareStandby(options: FailoverOptions, settings: Record<string, unknown>, p: Prepare): Promise<number> {
  const { io } = options;
  const parameter = standbyStateParameter(p.productionName, options.stack);
  if (options.dryRun) {
    io.info(
      'FAILOVER_PREPARE_PLAN',
      [
        `The pilot light of ${p.productionName}'s standby (${options.stack}) in ${p.region}, for a failover that needs no global control plane:`,
        `  the standby's module synthesized as the failover synthesizes it, its state in the bucket ${parameter} names (${p.region})`,
        `  applied of it (-target): its IAM roles, policies and instance profiles, S3 buckets and their configuration, Route 53 health check, what it keeps outside the standby region, and its load balancer${rtoStackOf(options.stack, settings) === 'rke-ha K3s' ? ", and K3s' datastore (RDS, empty until a failover)" : ''}; no server`,
      ].join('\n'),
    );
    io.result('FAILOVER_DRY_RUN', 'Dry run: nothing was read but the settings file, and nothing was changed.', { exitCode: 0 });
    return 0;
  }
  if (existsSync(join(options.root, FAILOVER_RECORD))) {
    io.error(
      'FAILOVER_PREPARE_DURING_FAILOVER',
      `${join(options.root, FAILOVER_RECORD)} records a failover: its standby is made already (run the failover again to continue it). Nothing was changed.`,
    );
    return 2;
  }
  const production = await productionDeployment(options.productionDir, 'failover');
  const copy = production.backupCopy;
  if (!copy || (copy.region !== undefined && copy.region !== p.region)) {
    io.error(
      'FAILOVER_PREPARE_NO_COPY',
      `${production.dir} replicates its backups to no copy in ${p.region}: deploy production with standby.region ${p.region} first (npm run cdktf -- deploy ${options.stack}; docs/standby.md). Nothing was changed.`,
    );
    return 2;
  }
  const sdk = await sdkSide();
  const clients = options.clients ? { of: options.clients, destroy: () => undefined } : sdk.clientsByRegion();
  try {
    const found = await sdk.readSecureParameter(clients.of(p.region), parameter);
    if (!found) {
      io.error(
        'FAILOVER_PREPARE_NO_STATE_BUCKET',
        `${p.region} holds no ${parameter}: production's apply makes the standby's state bucket there. Deploy production with this version first (npm run cdktf -- deploy ${options.stack}). Nothing was changed.`,
      );
      return 2;
    }
    const state = { bucket: found.value };
    const settingsFile = join(options.root, 'settings.json');
    const outdir = join(options.root, 'cdktf.out');
    mkdirSync(options.root, { recursive: true });
    const standby = standbySettings(settings, {
      name: p.name,
      region: p.region,
      file: PREPARED_FILE,
      bucket: copy.bucket,
      productionName: production.name,
      stack: options.stack,
      state,
    });
    writeFileSync(settingsFile, `${JSON.stringify(standby, null, 2)}\n`);
    await synthesize({ ...options, settingsFile, outdir, what: "the standby's pilot light" });
    const json = readModuleJson(p.moduleDir);
    if (!json) throw new StepFailed(`the synth wrote no ${join(p.moduleDir, 'cdk.tf.json')}`);
    const problems = [...standbyModuleProblems(json, p.moduleDir, options.root, state, p.region), ...pilotLightProblems(json as never)];
    if (problems.length > 0) throw new StepFailed(`the standby's pilot light cannot be applied ahead: ${problems.join('; ')}`);
    const targets = pilotLightTargets(json as never);
    // Without a -target an apply is the whole module: servers and all, restoring nothing.
    if (targets.length === 0) throw new StepFailed("the standby's module has nothing for its pilot light");
    // The restore's variable has no default: Terraform asks for it whatever the targets, which never read it.
    await withEnvironment({ [`TF_VAR_${RESTORE_VARIABLE}`]: production.backupEncryptionConfig }, () =>
      initAndApply(p.moduleDir, {
        ...options,
        apply: ['apply', '-auto-approve', '-input=false', ...targets.map((t) => `-target=${t}`)],
        applyTimeoutMs: options.applyTimeoutMs ?? 3_600_000,
        failed: "the standby's pilot light is not complete (run the prepare again)",
        output: io.lines('FAILOVER_TERRAFORM_OUTPUT'),
      }),
    );
    // Where production's failover record of the hostname leads (read at its next plan): the NLB just made.
    const target = options.stack === 'rke-ha' ? standbyTargetOf(await new Terraform(p.moduleDir).pull()) : undefined;
    if (options.stack === 'rke-ha' && !target) throw new StepFailed("the standby's state holds no load balancer with a DNS name and zone");
    if (target) {
      const name = standbyTargetParameter(production.name, options.stack);
      await sdk.writeStringParameter(
        clients.of(p.region),
        name,
        JSON.stringify(target),
        `The standby's load balancer, ${production.name}'s failover target (docs/failover.md)`,
        // Tagged as production's resources are (its settings' tags, its deployment tag): the teardown deletes it,
        // and a sweep by those tags finds it if left.
        operationTags(settings.tags, `${production.name}-${options.stack}`),
      );
      io.info(
        'FAILOVER_STANDBY_TARGET',
        `${name} (${p.region}): ${target.dnsName} in ${target.zoneId}, the alias production's failover record leads to.`,
        { ...target, parameter: name },
      );
    }
    io.result(
      'FAILOVER_PREPARED',
      `The pilot light of ${production.name}'s standby is up in ${p.region} (${targets.length} targets: IAM, S3 buckets, the Route 53 health check, the load balancer${datastoreAhead(targets) ? ", K3s' datastore" : ''}; state in s3://${state.bucket}). A failover now makes only what runs there. Prepare again after each deploy of production.`,
      { exitCode: 0, targets: targets.length, bucket: state.bucket },
    );
    return 0;
  } catch (error) {
    if (error instanceof Interrupted || options.interrupted()) {
      io.error('FAILOVER_PREPARE_INTERRUPTED', "Interrupted: the standby's pilot light is not complete (run the prepare again).", { exitCode: 130 });
      return 130;
    }
    if (!(error instanceof StepFailed)) throw error;
    io.error('FAILOVER_PREPARE_FAILED', `${error.message}.`, { exitCode: 1 });
    return 1;
  } finally {
    clients.destroy();
  }
}
