import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { lintLimits, lintManifests, type LintProblem, type ManifestFile } from '../api/index.js';
import { namesInConfigMap, subscriptionIssues, type KnownNotifications } from '../notifications/subscription-issues.js';

/** The trigger and service names of argo-rollouts-notification-configmap when it is among the files (else services are not judged). */
export function knownNotifications(files: readonly ManifestFile[]): KnownNotifications {
  const known: { triggers: Set<string>; services: Set<string> | undefined } = { triggers: new Set(), services: undefined };
  for (const file of files) {
    // A file past lint's size cap is reported by lintManifests and not parsed here either.
    if (Buffer.byteLength(file.text, 'utf8') > lintLimits.fileBytes) continue;
    for (const document of parseAllDocuments(file.text)) {
      if (!('errors' in document) || document.errors.length > 0) continue;
      let object: unknown;
      try {
        object = document.toJS({ maxAliasCount: 100 });
      } catch {
        continue;
      }
      const { kind, metadata, data } = (object ?? {}) as { kind?: unknown; metadata?: { name?: unknown }; data?: unknown };
      if (kind !== 'ConfigMap' || metadata?.name !== 'argo-rollouts-notification-configmap') continue;
      if (typeof data !== 'object' || data === null) continue;
      const names = namesInConfigMap(data as Record<string, unknown>);
      for (const trigger of names.triggers) known.triggers.add(trigger);
      known.services ??= new Set();
      for (const service of names.services) known.services.add(service);
    }
  }
  return known;
}

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
      const known = knownNotifications(files);
      const result = lintManifests(files, lintLimits, (rollout) =>
        subscriptionIssues((rollout.metadata as { annotations?: unknown } | undefined)?.annotations, known),
      );
      const problems = [...unreadable, ...result.problems];
      for (const problem of problems) process.stderr.write(`${formatProblem(problem)}\n`);
      process.stdout.write(`${count(paths.length, 'file')}, ${count(result.rollouts, 'Rollout')}, ${count(problems.length, 'problem')}\n`);
      if (problems.length > 0) process.exitCode = 1;
    });
}
