/**
 * `ferry users add|list|passwd|remove`: the Console's local accounts, in the state database
 * the config names. Passwords are typed at a hidden prompt, or read from stdin when piped
 * (`printf '%s' "$PW" | ferry users add ci --role operator`), never taken as an argument.
 */
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { loadDeployment } from '../../config/deployment.js';
import type { Command } from 'commander';
import { ROLES, roleSchema, userCreateSchema, type Role } from '../../server/api/contract.js';
import { AuditStore } from '../../server/store/audit-store.js';
import { AuthStore } from '../../server/store/auth-store.js';
import { consoleDbPath, openConsoleDb, type ConsoleDb } from '../../server/store/db.js';
import { stateConfigSchema } from '../../sync/config.js';
import { openStateStore } from '../../sync/index.js';
import { configFrom, printJson, UserError, withConfigOption } from '../output.js';

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** A prompt that does not echo what is typed. */
async function promptHidden(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const out = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WriteStream };
  let muted = false;
  out._writeToOutput = (s: string) => {
    if (!muted || s.includes('\n')) process.stderr.write(muted ? '\n' : s);
  };
  try {
    return await new Promise<string>((resolve) => {
      rl.question(question, resolve);
      muted = true;
    });
  } finally {
    rl.close();
  }
}

export async function readPassword(name: string): Promise<string> {
  if (!process.stdin.isTTY) return readAllStdin();
  const first = await promptHidden(`Password for ${name}: `);
  const again = await promptHidden('Once more: ');
  if (first !== again) throw new UserError('the two passwords differ; nothing was changed.');
  return first;
}

/** The state database: --state PATH (the Quick start's ./data/ferry.db has no config file), else the config's. */
async function withAuth<T>(opts: { config: string; state?: string }, fn: (auth: AuthStore, audit: AuditStore) => Promise<T>): Promise<T> {
  // A deployment of several connections keeps its users apart from every connection's state (users.path).
  const deployment = opts.state || !existsSync(opts.config) ? null : await loadDeployment(opts.config);
  let db: ConsoleDb;
  if (deployment) {
    db = await (await import('../../server/deployment.js')).openUsersDb(deployment.usersPath);
  } else {
    const state = opts.state ? stateConfigSchema.parse({ path: opts.state }) : (await configFrom(opts)).state;
    await (await openStateStore(state)).close();
    db = openConsoleDb(consoleDbPath(state), { engineTables: state.driver === 'sqlite' });
  }
  try {
    return await fn(new AuthStore(db), new AuditStore(db));
  } finally {
    db.close();
  }
}

function checkPassword(password: string): void {
  const r = userCreateSchema.shape.password.safeParse(password);
  // Worded without "password:" so the log scrubber (which hides what follows it) leaves the reason.
  if (!r.success) throw new UserError(`that password is not accepted (${r.error.issues[0]?.message ?? 'invalid'}); nothing was changed.`);
}

function withState(cmd: Command): Command {
  return cmd.option('--state <path>', 'state database (default: the one the config names)');
}

export function registerUsersCommands(program: Command): void {
  const users = program.command('users').description("The Console's local accounts (roles: admin, operator, viewer).");

  withState(withConfigOption(users.command('add <name>')))
    .description('Add an account; the password is prompted (or read from stdin when piped).')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .action(async (name: string, o: { role: string; config: string; state?: string }) => {
      const role = roleSchema.safeParse(o.role);
      if (!role.success) throw new UserError(`--role ${o.role} is not a role; use one of ${ROLES.join(', ')}.`);
      const n = userCreateSchema.shape.name.safeParse(name);
      if (!n.success) throw new UserError(`user name ${name}: ${n.error.issues[0]?.message ?? 'invalid'}.`);
      await withAuth(o, async (auth, audit) => {
        if (auth.findUserByName(name)) throw new UserError(`a user named ${name} already exists; ferry users passwd ${name} changes the password.`);
        const password = await readPassword(name);
        checkPassword(password);
        const user = await auth.addUser(name, role.data as Role, password);
        audit.record('cli', 'user.create', `user:${user.name}`, { role: user.role });
        process.stdout.write(`Added ${user.name} (${user.role}).\n`);
      });
    });

  withState(withConfigOption(users.command('passwd <name>')))
    .description("Set an account's password (prompted, or read from stdin when piped); signs its sessions out.")
    .action(async (name: string, o: { config: string; state?: string }) => {
      await withAuth(o, async (auth, audit) => {
        const user = auth.findUserByName(name);
        if (!user) throw new UserError(`no user named ${name}; ferry users list shows them.`);
        const password = await readPassword(name);
        checkPassword(password);
        await auth.updateUser(user.id, { password });
        audit.record('cli', 'user.update', `user:${user.name}`, { passwordChanged: true });
        process.stdout.write(`Password of ${user.name} changed.\n`);
      });
    });

  withState(withConfigOption(users.command('list')))
    .description('List the accounts.')
    .option('--json', 'print JSON')
    .action(async (o: { config: string; state?: string; json?: boolean }) => {
      await withAuth(o, async (auth) => {
        const list = auth.listUsers();
        if (o.json) printJson(list);
        else if (list.length === 0) process.stdout.write('No users yet: ferry users add NAME --role admin\n');
        else process.stdout.write(list.map((u) => `${u.name.padEnd(20)} ${u.role.padEnd(9)}${u.disabled ? ' disabled' : ''}`).join('\n') + '\n');
      });
    });

  withState(withConfigOption(users.command('remove <name>')))
    .description('Delete an account (its sessions and API tokens stop working).')
    .action(async (name: string, o: { config: string; state?: string }) => {
      await withAuth(o, async (auth, audit) => {
        const user = auth.findUserByName(name);
        if (!user) throw new UserError(`no user named ${name}; ferry users list shows them.`);
        auth.deleteUser(user.id);
        audit.record('cli', 'user.delete', `user:${user.name}`);
        process.stdout.write(`Removed ${user.name}.\n`);
      });
    });
}
