#!/usr/bin/env node
import { isLogFormatName, rootLogger } from '../log/index.js';
import { buildProgram } from './program.js';
import { StartupError, startupErrorText } from './startup-error.js';

try {
  const format = process.env['GRADUAL_LOG_FORMAT'];
  if (format !== undefined && format !== '' && !isLogFormatName(format))
    throw new StartupError(`GRADUAL_LOG_FORMAT is auto, json or pretty, not ${JSON.stringify(format)}`);
  await buildProgram().parseAsync(process.argv);
} catch (cause) {
  // A start-up error is the operator's to fix: say what and where in one line each, without a stack.
  const text = startupErrorText(cause);
  if (text !== undefined) {
    process.stderr.write(text);
    process.exitCode = 2;
  } else {
    rootLogger().error({ err: cause }, 'failed');
    process.exitCode = 1;
    // A long-running command that failed (a replica that lost its Lease) may still hold timers, sockets or a start
    // in flight; its supervisor restarts it only once it has exited, so it is not left to wind down by itself.
    setTimeout(() => process.exit(1), 2_000);
  }
}
