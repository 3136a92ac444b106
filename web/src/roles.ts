/** What each role may do, mirrored from the server (which enforces it; this only hides buttons). */
export type Role = 'admin' | 'operator' | 'viewer';
export type Action = 'read' | 'run' | 'schedules' | 'notifications' | 'users';

const allowed: Record<Role, readonly Action[]> = {
  admin: ['read', 'run', 'schedules', 'notifications', 'users'],
  operator: ['read', 'run', 'schedules'],
  viewer: ['read'],
};

export function can(role: string, action: Action): boolean {
  return (allowed[role as Role] ?? []).includes(action);
}
