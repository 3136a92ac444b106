/** `ferry config schema` and `ferry config check`. */
import type { Command } from 'commander';
import { configJsonSchema } from '../../config/schema.js';
import { loadConfigWithPaths } from '../../config/load.js';
import { printJson, withConfigOption } from '../output.js';

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('inspect and validate ferry.yaml');
  config
    .command('schema')
    .description('print the JSON Schema of ferry.yaml (point your editor at it for completion)')
    .action(() => printJson(configJsonSchema()));
  withConfigOption(config.command('validate'))
    .description('validate the configuration file and report every problem at once; show the paths it resolves')
    .action(async (opts: { config: string }) => {
      const { paths } = await loadConfigWithPaths(opts.config);
      const width = Math.max(...paths.map((p) => p.key.length));
      const lines = paths.map((p) => `  ${p.key.padEnd(width)}  ${p.resolved}${p.written === p.resolved ? '' : p.written === '(default)' ? '  (default)' : `  (written: ${p.written})`}`);
      process.stdout.write(`${opts.config}: valid\npaths (relative ones are relative to the config file):\n${lines.join('\n')}\n`);
    });
}
