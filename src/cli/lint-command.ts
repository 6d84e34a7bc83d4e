import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { lintManifests, type LintProblem, type ManifestFile } from '../api/index.js';

/** One problem as compilers and editors print them, so a terminal or an editor can jump to it. */
export function formatProblem(problem: LintProblem): string {
  return `${problem.file}:${String(problem.line)}:${String(problem.column)}: ${problem.path === '' ? '' : `${problem.path}: `}${problem.message}`;
}

function count(n: number, noun: string): string {
  return `${String(n)} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * `gradual lint FILE...`: checks Rollout manifests as the engine would at
 * reconcile (kubectl argo rollouts lint's counterpart). Problems go to
 * stderr, one a line; the summary to stdout; the exit code is 1 when there
 * is any problem. A file that cannot be read is a problem of its own, and
 * the other files are still checked.
 */
export function lintCommand(): Command {
  return new Command('lint')
    .description('check Rollout manifests (argoproj.io/v1alpha1) as Gradual would apply them; problems as file:line:column')
    .argument('<file...>', 'YAML files; each may hold several documents')
    .action(async (paths: string[]) => {
      const files: ManifestFile[] = [];
      const unreadable: LintProblem[] = [];
      for (const path of paths) {
        try {
          files.push({ path, text: await readFile(path, 'utf8') });
        } catch (cause) {
          const reason =
            cause instanceof Error && 'code' in cause && cause.code === 'ENOENT'
              ? 'no such file'
              : cause instanceof Error
                ? cause.message
                : String(cause);
          unreadable.push({ file: path, line: 1, column: 1, path: '', message: `cannot read: ${reason}` });
        }
      }
      const result = lintManifests(files);
      const problems = [...unreadable, ...result.problems];
      for (const problem of problems) process.stderr.write(`${formatProblem(problem)}\n`);
      process.stdout.write(`${count(paths.length, 'file')}, ${count(result.rollouts, 'Rollout')}, ${count(problems.length, 'problem')}\n`);
      if (problems.length > 0) process.exitCode = 1;
    });
}
