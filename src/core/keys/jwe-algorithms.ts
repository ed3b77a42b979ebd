// The JWE algorithms authctl uses (RFC 7518 §4 and §5), dependency-free for the help texts' choices.

export const KEY_MANAGEMENT = [
  'RSA-OAEP-256',
  'RSA-OAEP',
  'ECDH-ES',
  'ECDH-ES+A128KW',
  'ECDH-ES+A256KW',
  'A128KW',
  'A256KW',
  'dir',
  'PBES2-HS256+A128KW',
  'PBES2-HS512+A256KW',
] as const;
export const CONTENT_ENCRYPTION = ['A128GCM', 'A256GCM', 'A128CBC-HS256', 'A256CBC-HS512'] as const;
