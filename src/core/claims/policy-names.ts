/** The built-in policies' names, free of imports, for help texts (core/claims/policy.ts holds the rules). */
export const BUILTIN_POLICY_NAMES = ['gooclaim', 'gamification', 'justgold', 'keycloak', 'webmethods'] as const;
