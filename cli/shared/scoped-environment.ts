// A variable of this process's environment set for one step alone, for commands started through a helper that takes
// no environment of its own (initAndApply, the teardown command): set before the step, put back as it was after it,
// thrown or not. Without that, a secret-bearing TF_VAR_ (the backups' encryption configuration) outlived the command
// that needed it, and every later terraform of a caller (a library user, the acceptance run) inherited it.

/**
 * Runs `step` with each of `variables` set in `process.env` (an undefined value: left as it is), then restores
 * every one of them: the value it had before, or unset. A value passes to the commands the step starts through their
 * environment only, never their command line.
 */
export async function withEnvironment<T>(variables: Readonly<Record<string, string | undefined>>, step: () => Promise<T> | T): Promise<T> {
  const before = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(variables)) {
    if (value === undefined) continue;
    before.set(name, process.env[name]);
    process.env[name] = value;
  }
  try {
    return await step();
  } finally {
    for (const [name, value] of before) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
