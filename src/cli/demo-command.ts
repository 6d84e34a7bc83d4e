import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { demoOwner, demoRepository, demoRolloutFile, demoThirdColor } from '../demo/demo-manifests.js';
import { rootLogger } from '../log/index.js';
import { loadDevelopmentModule } from './development-install.js';
import { portOption } from './dashboard-command.js';
import { defaultEnvironmentDir } from './local-command.js';

interface DemoOptions {
  dir: string;
  auto?: boolean;
  dashboardPort: number;
  appPort: number;
  timeout: number;
}

function secondsOption(value: string): number {
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 1) throw new Error('a timeout is a whole number of seconds');
  return seconds;
}

/**
 * `npm run demo`: the Argo Rollouts demo on a pull request. Brings everything
 * up, opens pull request #1 and says what to do; Ctrl-C stops everything it
 * started. With --auto it plays the whole story unattended and exits 0 only if
 * every expectation held; without a terminal (CI, a script) that is the default.
 */
export function demoCommand(): Command {
  return new Command('demo')
    .description(
      'run the demo: a canary of the Argo Rollouts demo app on a pull request, with real traffic, Prometheus analysis and the dashboard',
    )
    .option(
      '--dir <dir>',
      "the demo's folder (its local environment, logs and demo.json); emptied at start",
      join(defaultEnvironmentDir(), '..', 'demo'),
    )
    .option(
      '--auto',
      'play the whole story unattended (promote and merge #1; #2 with injected errors fails), print a timeline, exit 0 only if every expectation held (the default without a terminal)',
    )
    .option('--no-auto', 'wait for you (and Ctrl-C) even without a terminal')
    .option('--dashboard-port <port>', "the dashboard's port (0: any free one)", portOption, 3100)
    .option('--app-port <port>', "the demo app's port: the gateway and its page (0: any free one)", portOption, 3200)
    .option('--timeout <seconds>', 'with --auto: how long one expectation may take', secondsOption, 120)
    .action(async (options: DemoOptions) => {
      const code = await runDemo(options);
      process.exitCode = code;
    });
}

async function runDemo(options: DemoOptions): Promise<number> {
  const logger = rootLogger();
  const began = performance.now();
  const say = (message: string): void => {
    process.stdout.write(`[${((performance.now() - began) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);
  };
  const { startDemoSession } = await loadDevelopmentModule('demo', () => import('../demo/demo-session.js'));
  // The environment's processes run in their own process groups (they outlive `local up`), so Ctrl-C reaches only
  // this process: it must stop them. A Ctrl-C during start-up is honoured as soon as start-up returns.
  const signals = { interrupted: false };
  let wake: () => void = () => undefined;
  const interruptedPromise = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signals.interrupted) return;
    signals.interrupted = true;
    say(`${signal}: stopping everything the demo started`);
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const session = await startDemoSession({
      dir: options.dir,
      logger,
      progress: say,
      ports: { dashboard: options.dashboardPort, gateway: options.appPort },
    });
    try {
      say(`ready in ${((performance.now() - began) / 1000).toFixed(1)} s`);
      process.stdout.write(readyText(session.urls, session.stateFile));
      if (signals.interrupted) return 130;
      // Without a terminal nobody can press Ctrl-C or open the pages: play the story, so a script's `npm run demo` ends.
      const auto = options.auto ?? !process.stdin.isTTY;
      if (!auto) {
        process.stdout.write(nextStepsText(dirname(session.stateFile), session.environment.dir));
        await interruptedPromise;
        return 0;
      }
      const [{ demoStory }, { formatTimeline, formatTimelineEntry, playStory }] = await loadDevelopmentModule('demo', () =>
        Promise.all([import('../demo/demo-story.js'), import('../demo/timeline.js')]),
      );
      const context = { session, timeoutMs: options.timeout * 1000, pulls: {} };
      process.stdout.write('\nPlaying the story (--auto):\n');
      const story = await Promise.race([
        playStory(
          demoStory(context),
          context,
          () => performance.now(),
          (entry) => {
            process.stdout.write(`${formatTimelineEntry(entry)}\n`);
          },
        ),
        interruptedPromise.then(() => undefined),
      ]);
      if (story === undefined) return 130;
      process.stdout.write(`\n${formatTimeline(story.entries, story.ok)}\n`);
      return story.ok ? 0 : 1;
    } finally {
      await session.stop();
      say('stopped');
    }
  } catch (error) {
    logger.error({ err: error }, 'the demo failed');
    process.stderr.write(`The demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function readyText(
  urls: { pullRequest: string; app: string; dashboard: string; github: string; prometheus: string },
  stateFile: string,
): string {
  return [
    '',
    'Open:',
    `  the pull request     ${urls.pullRequest}`,
    `  the demo app         ${urls.app}`,
    `  the dashboard        ${urls.dashboard}`,
    `  Prometheus           ${urls.prometheus}`,
    `  (URLs and process ids: ${stateFile})`,
    '',
  ].join('\n');
}

function nextStepsText(demoDir: string, environmentDir: string): string {
  const github = `npm run gradual -- local github`;
  const repository = `${demoOwner}/${demoRepository}`;
  const color = demoThirdColor;
  return [
    'What to do next:',
    '  1. On the pull request page, comment /promote (you are bob, a writer), or press Promote there or on the dashboard.',
    '     The canary goes 40 % → 60 % → 100 % with 10 s pauses while the analysis keeps measuring; then merge.',
    '  2. Or, before promoting, drag the yellow error slider on the demo app page above 10 %: within about 30 s the',
    '     analysis fails, the rollout aborts (all traffic back on blue), the check fails and the merge is refused.',
    '  3. Another colour, as bob, from a shell:',
    `     ${github} push ${repository} ${color} --file ${demoRolloutFile}=${demoDir}/rollout-${color}.yaml --as bob --dir ${environmentDir}`,
    `     ${github} open-pr ${repository} --head ${color} --title "Roll out ${color}" --as bob --dir ${environmentDir}`,
    'Ctrl-C stops everything the demo started.',
    '',
  ].join('\n');
}
