/**
 * GitHub's permission levels on a repository, weakest first. `none` is a
 * person without access (an outside commenter on a public repository).
 */
export const permissionLevels = ['none', 'read', 'triage', 'write', 'maintain', 'admin'] as const;
export type PermissionLevel = (typeof permissionLevels)[number];

/** The comment commands the bot obeys (DESIGN.md section 1, point 4). */
export const commandNames = ['promote', 'abort', 'retry', 'pause', 'resume', 'status', 'deploy', 'unlock', 'help'] as const;
export type CommandName = (typeof commandNames)[number];
