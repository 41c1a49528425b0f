import { statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { DriverProcessError } from './driver-process-error.ts';
import { isExecutable } from '../executable.ts';

/** A command line (split like a simple shell would) or an explicit program and arguments. */
export type DriverCommandLine = string | { command: string; args?: string[] };

export function resolveCommand(command: DriverCommandLine): { program: string; args: string[] } {
  if (typeof command !== 'string') {
    if (!command.command) throw new DriverProcessError('CC_ERR_DRIVER_COMMAND', 'the driver command is empty');
    return { program: command.command, args: command.args ?? [] };
  }
  const [program, ...args] = splitCommandLine(command);
  if (program === undefined) throw new DriverProcessError('CC_ERR_DRIVER_COMMAND', 'the driver command line is empty');
  return { program, args };
}

/**
 * Splits a command line into words as a POSIX shell would in simple cases: whitespace separates,
 * '...' is literal, "..." allows \" \\ \$ \`, a backslash outside quotes escapes the next character.
 * No variables, globs, pipes or redirections: those throw, and `{ command: 'sh', args: ['-c', ...] }`
 * is the way to get a shell.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new DriverProcessError('CC_ERR_DRIVER_COMMAND', `unterminated ' in driver command line: ${line}`);
      word += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length && '"\\$`'.includes(line[j + 1]!)) j++;
        word += line[j];
      }
      if (j >= line.length) throw new DriverProcessError('CC_ERR_DRIVER_COMMAND', `unterminated " in driver command line: ${line}`);
      inWord = true;
      i = j;
    } else if (c === '\\') {
      if (i + 1 < line.length) word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if ('|&;<>()$`*?'.includes(c)) {
      throw new DriverProcessError(
        'CC_ERR_DRIVER_COMMAND',
        `driver command line uses shell syntax "${c}", which is not interpreted here: quote it, or pass { command: 'sh', args: ['-c', ${JSON.stringify(line)}] }`,
      );
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

export function quoteForDisplay(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Why `program` cannot be started at all, or undefined when it can: a path that does not exist,
 * is a directory or is not executable, or a bare name found nowhere on `PATH` (issue 12, point 9:
 * such a `--client` is a usage error before any scenario runs, not a failed scenario each).
 */
export function whyNotRunnable(program: string, cwd: string = process.cwd(), pathVariable: string = process.env.PATH ?? ''): string | undefined {
  if (program.includes('/')) {
    const file = isAbsolute(program) ? program : resolve(cwd, program);
    let stat;
    try {
      stat = statSync(file);
    } catch {
      return `"${program}" does not exist (looked for ${file})`;
    }
    if (stat.isDirectory()) return `"${program}" is a directory, not a program`;
    if (!isExecutable(file)) return `"${program}" is not executable: chmod +x it, or name its interpreter first (e.g. "node ${program}", "python3 ${program}")`;
    return undefined;
  }
  for (const dir of pathVariable.split(delimiter).filter(Boolean)) {
    const file = join(dir, program);
    try {
      if (statSync(file).isFile() && isExecutable(file)) return undefined;
    } catch {
      // not in this folder
    }
  }
  return `"${program}" was not found on PATH; give its path (e.g. ./${program}) or install it`;
}

