import { accessSync, constants } from 'node:fs';

/** Whether `path` is a file this process may execute (what spawning it needs). */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
