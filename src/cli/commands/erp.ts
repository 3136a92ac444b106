import type { Command } from 'commander';

// Placeholder: replaced by the module's owner.
export function registerErpCommands(_program: Command): void {}
