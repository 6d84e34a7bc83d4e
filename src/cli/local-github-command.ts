import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import type * as Person from '../local/github/person.js';
import { loadDevelopmentModule } from './development-install.js';

type Role = 'admin' | 'maintain' | 'write' | 'triage' | 'read';

interface Common {
  dir: string;
  as: string;
  role: Role;
}

function repositoryArgument(value: string): { owner: string; repo: string } {
  const match = /^([\w.-]+)\/([\w.-]+)$/.exec(value);
  if (match?.[1] === undefined || match[2] === undefined) throw new InvalidArgumentError('OWNER/NAME');
  return { owner: match[1], repo: match[2] };
}

function numberArgument(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 1) throw new InvalidArgumentError('a whole number');
  return number;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The person named by --as, with --role on the repository (on the organization when the repository does not exist yet). */
async function actAs(
  options: Common,
  target: { owner: string; repo: string },
  onRepository = true,
): Promise<{ person: Person.Person; module: typeof Person }> {
  const module = await loadDevelopmentModule('local github', () => import('../local/github/person.js'));
  const { readEnvironment } = await loadDevelopmentModule('local github', () => import('../local/index.js'));
  const environment = await readEnvironment(options.dir);
  const github = environment.github;
  if (github?.adminTokenFile === undefined)
    throw new Error(
      `the environment in ${options.dir} has no local GitHub with an admin token; restart it: gradual local down && gradual local up`,
    );
  const adminToken = (await readFile(github.adminTokenFile, 'utf8')).trim();
  const person = await module.personFor({
    apiUrl: github.url,
    adminToken,
    login: options.as,
    role: options.role,
    ...(onRepository && { repository: { owner: target.owner, name: target.repo } }),
  });
  return { person, module };
}

/**
 * `gradual local github …`: act as a person on the local GitHub (create a
 * repository, push, open, comment, approve, press a button, merge, close,
 * protect a branch). The work is in src/local/github/person.ts.
 */
export function localGithubCommand(defaultDir: string): Command {
  const github = new Command('github').description('act as a person on the local GitHub');
  const verb = (name: string, description: string, defaultRole: Role): Command =>
    github
      .command(name)
      .description(description)
      .option('--dir <dir>', 'folder of the environment', defaultDir)
      .option('--as <login>', 'the person acting', 'developer')
      .addOption(
        new Option('--role <role>', 'their permission level on the repository')
          .choices(['admin', 'maintain', 'write', 'triage', 'read'])
          .default(defaultRole),
      );
  const print = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };

  verb('create-repo', 'create a repository from a folder of manifests (its first commit on main)', 'admin')
    .argument('<owner/name>', 'the repository', repositoryArgument)
    .requiredOption('--from <folder>', 'the files of the first commit')
    .action(async (target: { owner: string; repo: string }, options: Common & { from: string }) => {
      const { person, module } = await actAs(options, target, false);
      const created = await module.createRepositoryFromFolder(person, { ...target, folder: options.from });
      print(`${created.cloneUrl} ${created.sha}`);
    });

  verb('install', 'install the app on an account (sends installation.created once); prints the installation id', 'admin')
    .argument('<account>', 'the organization or user')
    .action(async (account: string, options: Common) => {
      const { readEnvironment } = await loadDevelopmentModule('local github', () => import('../local/index.js'));
      const { installApp } = await loadDevelopmentModule('local github', () => import('../local/github/person.js'));
      const github = (await readEnvironment(options.dir)).github;
      if (github?.adminTokenFile === undefined)
        throw new Error(
          `the environment in ${options.dir} has no local GitHub with an admin token; restart it: gradual local down && gradual local up`,
        );
      const adminToken = (await readFile(github.adminTokenFile, 'utf8')).trim();
      print(String(await installApp({ apiUrl: github.url, adminToken, account, sender: options.as })));
    });

  verb('push', 'commit changed files on a branch and git push it', 'write')
    .argument('<owner/name>', 'the repository', repositoryArgument)
    .argument('<branch>', 'the branch (created from --from when new)')
    .option('--file <path=local>', "set a file of the repository to a local file's content (repeatable)", collect, [])
    .option('--delete <path>', 'delete a file (repeatable)', collect, [])
    .option('--from <branch>', 'start a new branch here (default: the default branch)')
    .option('-m, --message <message>', 'the commit message', 'Update manifests')
    .action(
      async (
        target: { owner: string; repo: string },
        branch: string,
        options: Common & { file: string[]; delete: string[]; from?: string; message: string },
      ) => {
        const files: Record<string, string | null> = {};
        for (const pair of options.file) {
          const [path, local] = pair.split('=', 2);
          if (path === undefined || local === undefined) throw new InvalidArgumentError(`--file ${pair}: give path=localfile`);
          files[path] = await readFile(local, 'utf8');
        }
        for (const path of options.delete) files[path] = null;
        const { person, module } = await actAs(options, target);
        print(
          await module.pushBranch(person, {
            ...target,
            branch,
            files,
            message: options.message,
            ...(options.from !== undefined && { from: options.from }),
          }),
        );
      },
    );

  verb('open-pr', 'open a pull request', 'write')
    .argument('<owner/name>', 'the repository', repositoryArgument)
    .requiredOption('--head <branch>', 'the branch with the changes')
    .option('--base <branch>', 'the branch to merge into (default: the default branch)')
    .requiredOption('--title <title>', 'the title')
    .option('--body <body>', 'the description')
    .action(
      async (target: { owner: string; repo: string }, options: Common & { head: string; base?: string; title: string; body?: string }) => {
        const { person, module } = await actAs(options, target);
        print(
          String(
            await module.openPullRequest(person, {
              ...target,
              head: options.head,
              title: options.title,
              ...(options.base !== undefined && { base: options.base }),
              ...(options.body !== undefined && { body: options.body }),
            }),
          ),
        );
      },
    );

  verb('comment', 'comment on a pull request (e.g. a /gradual command)', 'write')
    .argument('<owner/name>', 'the repository', repositoryArgument)
    .argument('<number>', 'the pull request', numberArgument)
    .argument('<body>', 'the comment')
    .action(async (target: { owner: string; repo: string }, number: number, body: string, options: Common) => {
      const { person, module } = await actAs(options, target);
      print(String(await module.comment(person, { ...target, number, body })));
    });

  verb('approve', 'approve a pull request', 'write')
    .argument('<owner/name>', 'the repository', repositoryArgument)
    .argument('<number>', 'the pull request', numberArgument)
    .action(async (target: { owner: string; repo: string }, number: number, options: Common) => {
      const { person, module } = await actAs(options, target);
      await module.approve(person, { ...target, number });
    });

  verb('press', "press a check run's button (sends check_run.requested_action)", 'write')
    .argument('<check-run-id>', 'the check run', numberArgument)
    .argument('<identifier>', "the button's identifier, e.g. abort")
    .action(async (checkRunId: number, identifier: string, options: Common) => {
      const { readEnvironment } = await loadDevelopmentModule('local github', () => import('../local/index.js'));
      const { pressCheckRunButton } = await loadDevelopmentModule('local github', () => import('../local/github/person.js'));
      const apiUrl = (await readEnvironment(options.dir)).github?.url;
      if (apiUrl === undefined) throw new Error(`the environment in ${options.dir} has no local GitHub`);
      await pressCheckRunButton({ apiUrl, login: options.as, checkRunId, identifier });
    });

  verb('merge', 'merge a pull request (refused while branch protection is unmet)', 'write')
    .argument('<owner/name>', 'the repository', repositoryArgument)
    .argument('<number>', 'the pull request', numberArgument)
    .addOption(new Option('--method <method>', 'merge method').choices(['merge', 'squash', 'rebase']).default('merge'))
    .action(
      async (target: { owner: string; repo: string }, number: number, options: Common & { method: 'merge' | 'squash' | 'rebase' }) => {
        const { person, module } = await actAs(options, target);
        print(await module.merge(person, { ...target, number, method: options.method }));
      },
    );

  verb('close', 'close a pull request', 'write')
    .argument('<owner/name>', 'the repository', repositoryArgument)
    .argument('<number>', 'the pull request', numberArgument)
    .action(async (target: { owner: string; repo: string }, number: number, options: Common) => {
      const { person, module } = await actAs(options, target);
      await module.close(person, { ...target, number });
    });

  verb('protect', 'protect a branch: required checks and approvals', 'admin')
    .argument('<owner/name>', 'the repository', repositoryArgument)
    .argument('<branch>', 'the branch')
    .option('--require-check <name>', 'a check run name or status context that must pass (repeatable)', collect, [])
    .option('--approvals <n>', 'required approving reviews', (value) => Number(value), 0)
    .option('--strict', 'require the head branch to be up to date with the base before merging', false)
    .action(
      async (
        target: { owner: string; repo: string },
        branch: string,
        options: Common & { requireCheck: string[]; approvals: number; strict: boolean },
      ) => {
        const { person, module } = await actAs(options, target);
        await module.setBranchProtection(person, {
          ...target,
          branch,
          requiredChecks: options.requireCheck,
          requiredApprovals: options.approvals,
          strict: options.strict,
        });
      },
    );

  return github;
}
