/** `ferry config schema` and `ferry config check`. */
import type { Command } from 'commander';
import { configJsonSchema } from '../../config/schema.js';
import { configFrom, printJson, withConfigOption } from '../output.js';

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('inspect and validate ferry.yaml');
  config
    .command('schema')
    .description('print the JSON Schema of ferry.yaml (point your editor at it for completion)')
    .action(() => printJson(configJsonSchema()));
  withConfigOption(config.command('validate'))
    .description('validate the configuration file and report every problem at once')
    .action(async (opts: { config: string }) => {
      await configFrom(opts);
      process.stdout.write(`${opts.config}: valid\n`);
    });
}
