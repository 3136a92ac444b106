#!/usr/bin/env node
/**
 * The `ferry` command. Each command group lives in src/cli/commands/<group>.ts and
 * registers itself here; this file only wires them and turns errors into exit codes.
 */
import { Command } from 'commander';
import { registerConfigCommands } from './commands/config.js';
import { registerPimCommands } from './commands/pim.js';
import { registerSandboxCommand } from './commands/sandbox.js';
import { registerErpCommands } from './commands/erp.js';
import { registerMappingCommands } from './commands/mapping.js';
import { registerSyncCommands } from './commands/sync.js';
import { registerExportCommand } from './commands/export.js';
import { registerServeCommand } from './commands/serve.js';
import { registerUsersCommands } from './commands/users.js';
import { registerEstimateCommand } from './commands/estimate.js';
import { registerStateCommands } from './commands/state.js';
import { registerConnectionsCommands } from './commands/connections.js';
import { registerWorkerCommand } from './commands/worker.js';
import { endQuietlyOnBrokenPipe, reportFatal } from './output.js';
import { installOutputScrubber } from '../logging.js';
import { FERRY_VERSION } from '../version.js';

export function buildProgram(): Command {
  const program = new Command('ferry')
    .description('Ferry: ERP ↔ Akeneo PIM connector')
    .version(FERRY_VERSION)
    // Program options only before a command, so `ferry sandbox --version 6.0` is the sandbox's.
    .enablePositionalOptions()
    .showHelpAfterError();
  registerConfigCommands(program);
  registerPimCommands(program);
  registerSandboxCommand(program);
  registerErpCommands(program);
  registerMappingCommands(program);
  registerSyncCommands(program);
  registerWorkerCommand(program);
  registerExportCommand(program);
  registerServeCommand(program);
  registerUsersCommands(program);
  registerEstimateCommand(program);
  registerStateCommands(program);
  registerConnectionsCommands(program);
  return program;
}

endQuietlyOnBrokenPipe();
// Whatever a command prints, the secrets the configuration declared do not leave the process.
installOutputScrubber();

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.exitCode = reportFatal(err);
  });
