import type { Command } from 'commander';

// Placeholder: replaced by the module's owner.
export function registerSandboxCommand(_program: Command): void {}
