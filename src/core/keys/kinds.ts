// The key types and sizes keygen offers. Dependency-free: keygen's help imports them without
// loading jose or node:crypto.

export const KEY_TYPES = ['rsa', 'ec', 'ed25519', 'oct'] as const;
export type KeyType = (typeof KEY_TYPES)[number];
export const CURVES = ['P-256', 'P-384', 'P-521'] as const;
export const OCT_SIZES = [256, 384, 512];
