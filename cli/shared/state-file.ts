import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where an operation keeps what it needs to resume: `<module folder>/.rancher-ha-aws/<operation>.json`. */
export function stateFilePath(moduleDir: string, operation: string): string {
  return join(moduleDir, '.rancher-ha-aws', `${operation}.json`);
}

/**
 * A small JSON record written atomically (a temporary file renamed over the
 * old one), so a kill -9 leaves either the previous record or the new one,
 * never half of one.
 */
export class StateFile<T extends object> {
  constructor(readonly path: string) {}

  read(): T | undefined {
    if (!existsSync(this.path)) return undefined;
    try {
      return JSON.parse(readFileSync(this.path, 'utf8')) as T;
    } catch (error) {
      throw new Error(`${this.path} is not valid JSON (${(error as Error).message}); move it away to start over.`, { cause: error });
    }
  }

  write(value: T): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.path);
  }

  remove(): void {
    rmSync(this.path, { force: true });
  }
}
