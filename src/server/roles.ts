// Workspace roles, weakest first: a viewer reads, an analyst also edits and runs, an owner also manages members.
export const Role = ['viewer', 'analyst', 'owner'] as const;
