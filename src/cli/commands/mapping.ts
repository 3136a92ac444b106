import type { Command } from 'commander';

// Placeholder: replaced by the module's owner.
export function registerMappingCommands(_program: Command): void {}
