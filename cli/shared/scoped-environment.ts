// A variable of this process's environment set for one step alone, for commands started through a helper that takes
// no environment of its own (initAndApply, the teardown command): set before the step, put back as it was after it,
// thrown or not. Without that, a secret-bearing TF_VAR_ (the backups' encryption configuration) outlived the command
// that needed it, and every later terraform of a caller (a library user, the acceptance run) inherited it.

/**
 * Runs `step` with each of `variables` set in `process.env` (an undefined value: left as it is), then restores
 * every one of them: the value it had before, or unset. A value passes to the commands the step starts through their
 * environment only, never their command line.
 */
export function withEnvironment<T>(variables: Readonly<Record<string, string | undefined>>, step: () => Promise<T> | T): Promise<T> {
  const set = Object.entries(variables).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return keepingEnvironment(
    set.map(([name]) => name),
    () => {
      for (const [name, value] of set) process.env[name] = value;
      return step();
    },
  );
}

/**
 * Runs `step`, then puts each of `names` back as it was before it (its value, or unset), thrown or not: for a
 * command that sets a variable itself once it knows the value (the drill, once it chose the backup), so that it does
 * not outlive the command.
 */
export async function keepingEnvironment<T>(names: readonly string[], step: () => Promise<T> | T): Promise<T> {
  const before = names.map((name) => [name, process.env[name]] as const);
  try {
    return await step();
  } finally {
    for (const [name, value] of before) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
