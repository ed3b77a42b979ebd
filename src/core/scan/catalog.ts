// What `scan` can report, with no code behind it: the command's help text and completions read
// this at start-up, so it must not pull in the detectors or the claims module.

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type ScanSeverity = (typeof SEVERITIES)[number];

export const RULES = {
  jwt: 'a signed JWT (JWS compact)',
  jwe: 'an encrypted token (JWE compact)',
  'private-key': 'an unencrypted PEM private key (PKCS#8, PKCS#1, SEC1 or OpenSSH)',
  'private-key-encrypted': 'a passphrase-encrypted PEM private key',
  'private-jwk': 'a private or symmetric JWK (has "d" or "k")',
  'client-secret': 'an OAuth client secret assigned in a config file or a curl command',
  password: 'a password assigned in a config file or a curl command',
  'secret-assignment': 'an API key, token or other secret assigned in a config file',
  'basic-auth': 'HTTP Basic credentials (Authorization: Basic, curl -u id:secret, https://id:secret@host)',
  'bearer-token': 'an opaque bearer token in a header or log line',
} as const;
export type RuleId = keyof typeof RULES;
