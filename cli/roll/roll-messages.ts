import type { Step } from './roll';

/**
 * The code and the words of each step's end (its start is ROLL_STEP_STARTED for every step, its step in the data):
 * a plain line `... ROLL_SERVER_DRAINED server-1: drained (1m 04s)`, and the line a terminal keeps once the status
 * line moves on. What a code promises: docs/development.md "Messages and their codes".
 */
export const ROLL_STEP_DONE: Readonly<Record<Step, { readonly code: string; readonly text: (k3s: boolean) => string }>> = {
  snapshot: { code: 'ROLL_SERVER_SNAPSHOT_TAKEN', text: (k3s) => (k3s ? 'datastore snapshot taken' : 'etcd snapshot taken') },
  drain: { code: 'ROLL_SERVER_DRAINED', text: () => 'drained' },
  remove: { code: 'ROLL_SERVER_REMOVED', text: (k3s) => (k3s ? 'Node deleted' : 'Node deleted, its etcd member removed') },
  replace: { code: 'ROLL_SERVER_REPLACED', text: () => 'replaced (terraform apply of the checked plan)' },
  rejoin: { code: 'ROLL_SERVER_REJOINED', text: (k3s) => `the new server is Ready${k3s ? '' : ' and an etcd voter'}, every server healthy` },
};
