import type { Command } from 'commander';

// Placeholder: replaced by the module's owner.
export function registerSyncCommands(_program: Command): void {}
