// The operations commands' help: what `rancher-ha-aws --help` and `<command> --help` print, and the one source of
// docs/commands.md (scripts/commands-reference.ts writes it, `npm run docs:commands`; a test compares).
import { DEFAULT_BUDGET_MINUTES } from './acceptance/acceptance';

/** Each command's part of the help, as `rancher-ha-aws <command> --help` prints it. */
export const COMMAND_HELP: Readonly<Record<string, string>> = {
  teardown: `  teardown   destroy a deployment from any state (healthy, broken, half gone); without
             --keep-snapshots the etcd snapshots, Rancher's backups and the flow logs are deleted too
             --keep-snapshots  keep the etcd snapshot bucket and Rancher's backup bucket, their guards and
                               KMS key (and the flow-log store); save the cluster token and the backups'
                               encryption configuration beside them (never over a different file)
             --yes             no typed confirmation (pipelines)
             --token-file <f>  where --keep-snapshots saves the cluster token (default ./<name>-join-token)
             --dry-run         print the steps and change nothing`,
  roll: `  roll       replace servers one at a time (those servers_pending_replacement lists)
             --all             every server
             --server <name>   only this one (server-0, server-1, ...)
             --new-image       record the newest Ubuntu image first, then roll every server
             --wait-minutes <n> budget for each new server to be Ready and an etcd voter (default 25)
             --take-over       resume a roll whose machine is gone: take its Leases, though a server is out,
                               once they were not renewed for an hour (never from a roll still running)
             --dry-run         print the steps and change nothing`,
  rotate: `  rotate     rotate a secret of an rke-ha deployment's cluster, one server restart at a time under the
             servers' restart Lease; resumable (run it again) after any stop
             token           the cluster (join) token: the new one is written to the token parameter first, then
                             \`token rotate\` on one server, every server's token file, each server restarted
             encryption-key  RKE2's secrets-encryption key: \`secrets-encrypt rotate-keys\` once on one server, no
                             restart before it reports reencrypt_finished, then each other server restarted
             --token-file <f>  where the replaced token is saved (default ./<name>-join-token-<time>)
             --wait-minutes <n> budget for each restarted server to be healthy again (default 15)
             --take-over       resume a rotation whose machine is gone (its Lease not renewed for an hour)
             --dry-run         print the steps and change nothing`,
  drill: `  drill      restore production's newest Rancher backup into a throwaway deployment (rke-ha), check it,
             time it, report (./drill.out/report-*.json) and tear the throwaway down, also on failure
             --keep            leave the throwaway up (tear it down later with --teardown)
             --teardown        only tear down the throwaway an earlier drill left
             --name <name>     the throwaway's name (default: production's first 10 characters + -drill)
             --wait-minutes <n> budget for Rancher to answer /ping once the apply is done (default 10)
             --etcd            restore production's newest etcd snapshot instead (RKE2): on the throwaway's
                               first server, with production's cluster token (docs/drill.md)
             --dry-run         print the steps, what it creates, how long and what it costs; reads the
                               settings file only (no tool, no credentials), changes nothing`,
  acceptance: `  acceptance prove a throwaway deployment's whole life in your account (rke-ha, k8s-ha, docker): deploy (timed),
             /ping, first login, an empty second plan, a downstream cluster imported (Active after each later phase),
             a Kubernetes upgrade, a roll of every server, a backup and a
             drill restore (rke-ha; each stack skips what does not apply to it, saying why), the teardown from a
             broken state, a sweep for anything left tagged with the run's id (and its IAM); a report
             (./acceptance.out/<run id>/report.md and .json). Torn down on any failure, signal or overrun.
             --region <region> required: where it runs (never a default)
             --name <name>     the deployment's name (default acc-<run id>); refused when a deployment has it
             --settings <file> take the deployment's shape from this settings file (refused with a backend)
             --kubeconfig <file> k8s-ha: the cluster to install onto (refused when it has a cattle-system)
             --context <name>  k8s-ha: the context of that file (default its current context)
             --hosted-zone <zone> k8s-ha, and docker's migrate: a public Route53 zone of yours for the run's record
                               <name>.<zone>
             --only <phases>   only these, comma-separated: ping,login,second-plan,downstream,upgrade,roll,rotate,
                               backup,metrics,drill,break, and migrate (docker to rke-ha by backup and restore; only
                               when named, with downstream)
             --with <phases>   add these optional phases, comma-separated: rotate
             --skip <phases>   all but these
             --budget-minutes <n> time budget, stated with its cost before the start (default ${DEFAULT_BUDGET_MINUTES})
             --downstream-minutes <n> how long the downstream cluster may take to be Active and connected after
                               each phase (default 10)
             --yes             no typed confirmation (pipelines)
             --teardown-run <id> only tear down and sweep what the run <id> left
             --dry-run         print the plan and change nothing`,
};

export const MODULE_HELP = `<stack> is rke-ha, k8s-ha or docker (the module in cdktf.out/stacks/<stack>); a pipeline, or an app
of your own made with the constructs, gives the synthesized module folder with --dir instead
(cdktf.out/stacks/<stack id>). The commands find the deployment in the module's state under any
construct id; --deployment <name> names it where the module holds more than one (roll), or the one
a teardown must find there.

Every command runs Terraform as \`terraform\` from PATH; --terraform-binary <path or name> (or the
environment variable RANCHER_HA_AWS_TERRAFORM) runs another, such as OpenTofu's \`tofu\` (docs/pipeline.md).`;

export const USAGE = `Usage: rancher-ha-aws <command> [<stack>] [--dir <module folder>] [--deployment <name>] [options]

Commands:
${Object.values(COMMAND_HELP).join('\n')}

${MODULE_HELP}

rancher-ha-aws <command> --help prints one command's part.`;

/** How each command is called, before its options. */
const COMMAND_LINE: Readonly<Record<string, string>> = {
  teardown: '<stack> | --dir <module folder> [--deployment <name>]',
  roll: '<stack> | --dir <module folder> [--deployment <name>]',
  rotate: 'rke-ha | --dir <module folder> [--deployment <name>] token | encryption-key',
  drill: '<stack> [--dir <module folder>]',
  acceptance: '<stack> --region <region> | --teardown-run <run id>',
};

/** One command's help: how it is called, its options, and (for those acting on a module) where it finds the module. */
export function commandHelp(command: string): string {
  const module = command === 'acceptance' ? '' : `\n\n${MODULE_HELP}`;
  return `Usage: rancher-ha-aws ${command} ${COMMAND_LINE[command]} [options]\n\n${COMMAND_HELP[command]}${module}`;
}
