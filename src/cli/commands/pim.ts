import type { Command } from 'commander';

// Placeholder: replaced by the module's owner.
export function registerPimCommands(_program: Command): void {}
