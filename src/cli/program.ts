import { Command, Option } from 'commander';
import { configureRootLogger, logFormatNames, type LogFormatName } from '../log/index.js';
import { botCommand, startCommand } from './bot-command.js';
import { completionCommand } from './completion-command.js';
import { controllerCommand } from './controller-command.js';
import { dashboardCommand } from './dashboard-command.js';
import { demoCommand } from './demo-command.js';
import { lintCommand } from './lint-command.js';
import { localCommand } from './local-command.js';
import { rolloutVerbCommands } from './rollout-verbs/index.js';
import { packageVersion, versionCommand } from './version.js';

export function buildProgram(): Command {
  const program = new Command('gradual')
    .description('Pull-request-driven progressive delivery for Kubernetes (Argo Rollouts compatible)')
    .version(packageVersion(), '-v, --version')
    .showHelpAfterError()
    // The log's shape and level for every command; set before any command logs its first line.
    .addOption(
      new Option(
        '--log-format <format>',
        'log lines: auto (pretty on a terminal, JSON otherwise), json, pretty (default: $GRADUAL_LOG_FORMAT or auto)',
      ).choices(logFormatNames),
    )
    .addOption(
      new Option('--log-level <level>', 'log level (default: $GRADUAL_LOG_LEVEL or info)').choices([
        'trace',
        'debug',
        'info',
        'warn',
        'error',
        'fatal',
        'silent',
      ]),
    )
    .hook('preAction', (command) => {
      const options = command.opts<{ logFormat?: LogFormatName; logLevel?: string }>();
      configureRootLogger({
        ...(options.logFormat === undefined ? {} : { format: options.logFormat }),
        ...(options.logLevel === undefined ? {} : { level: options.logLevel }),
      });
    })
    .addCommand(localCommand())
    .addCommand(controllerCommand())
    .addCommand(startCommand())
    .addCommand(botCommand())
    .addCommand(lintCommand())
    .addCommand(demoCommand())
    .addCommand(dashboardCommand());
  for (const verb of rolloutVerbCommands()) program.addCommand(verb);
  program.addCommand(versionCommand()).addCommand(completionCommand(() => program));
  return program;
}
