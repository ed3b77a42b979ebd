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
  'aws-access-key-id': 'an AWS access key id',
  'aws-secret-key': 'an AWS secret access key',
  'github-token': 'a GitHub token (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_)',
  'gitlab-token': 'a GitLab personal access token (glpat-)',
  'slack-token': 'a Slack token (xoxb-, xoxp-, …)',
  'slack-webhook': 'a Slack incoming webhook URL',
  'stripe-key': 'a Stripe secret or restricted key (sk_live_, rk_live_; test keys low)',
  'google-api-key': 'a Google API key (AIza…)',
  'npm-token': 'an npm access token (npm_)',
  'pypi-token': 'a PyPI upload token (pypi-)',
  'azure-storage-key': 'an Azure storage account key in a connection string',
  'sendgrid-key': 'a SendGrid API key (SG.)',
  'twilio-key': 'a Twilio API key (SK…)',
} as const;
export type RuleId = keyof typeof RULES;
