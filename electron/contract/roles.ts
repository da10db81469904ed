/** Operator roles, free of schema code so the renderer can list them without bundling zod. */
export const roles = ['technician', 'admin', 'support'] as const;
export type Role = (typeof roles)[number];
