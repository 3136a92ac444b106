/** `ferry config schema` and `ferry config validate`. */
import type { Command } from 'commander';
import { configJsonSchema } from '../../config/schema.js';
import { ConfigError } from '../../config/load.js';
import { connectionConfigWithPaths, loadDeployment, resolveConnection, type ConnectionSource } from '../../config/deployment.js';
import { printJson, withConfigOption, type ConfigOptions } from '../output.js';

function validateOne(src: ConnectionSource): string {
  const { paths } = connectionConfigWithPaths(src);
  const width = Math.max(...paths.map((p) => p.key.length));
  const lines = paths.map((p) => `  ${p.key.padEnd(width)}  ${p.resolved}${p.written === p.resolved ? '' : p.written === '(default)' ? '  (default)' : `  (written: ${p.written})`}`);
  const name = src.name === null ? src.file : `${src.name} (${src.file})`;
  return `${name}: valid\npaths (relative ones are relative to the config file):\n${lines.join('\n')}\n`;
}

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('inspect and validate ferry.yaml');
  config
    .command('schema')
    .description('print the JSON Schema of ferry.yaml (point your editor at it for completion)')
    .action(() => printJson(configJsonSchema()));
  withConfigOption(config.command('validate'))
    .description('validate the configuration file and report every problem at once; show the paths it resolves (every connection of a deployment, or --connection NAME)')
    .action(async (opts: ConfigOptions & { config: string }) => {
      const deployment = opts.connection === undefined ? await loadDeployment(opts.config) : null;
      if (!deployment) {
        process.stdout.write(validateOne(await resolveConnection(opts.config, opts.connection)));
        return;
      }
      // Every connection is checked, and all their problems are reported together.
      const problems: ConfigError['problems'] = [];
      for (const src of deployment.connections) {
        try {
          process.stdout.write(validateOne(src));
        } catch (err) {
          if (!(err instanceof ConfigError)) throw err;
          problems.push(...err.problems.map((p) => (src.keyPrefix === '' ? { ...p, path: `connections.${src.name!} (${err.file}): ${p.path}` } : p)));
        }
      }
      if (problems.length > 0) throw new ConfigError(opts.config, problems);
    });
}
