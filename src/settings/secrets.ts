/**
 * Does an environment variable hold a secret? A plaintext CodeBuild variable is readable by anyone who can read
 * the project, so a secret must be a Parameter Store or Secrets Manager reference instead.
 *
 * The value rules are adapted from gitleaks' default rule set (config/gitleaks.toml, github.com/gitleaks/gitleaks,
 * MIT licence, © 2019 Zachary Rice), rewritten for JavaScript and anchored on a whole value rather than a line of
 * code; the name keywords follow detect-secrets' KeywordDetector (github.com/Yelp/detect-secrets, Apache-2.0) and
 * the high-entropy check its Base64HighEntropyString plugin. Webhook, Bitbucket/Atlassian and connection-string
 * rules cover formats the issue asked for that gitleaks only finds by a nearby keyword.
 */

export interface SecretRule {
  /** gitleaks' rule id where the rule comes from there. */
  readonly id: string;
  /** In the user's words, for the error: "a GitHub personal access token". */
  readonly what: string;
  readonly pattern: RegExp;
}

/** Token formats recognisable from the value alone, wherever it sits in the value. */
export const VALUE_RULES: readonly SecretRule[] = [
  // Cloud providers
  { id: "aws-access-token", what: "an AWS access key id", pattern: /\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/ },
  { id: "gcp-api-key", what: "a Google API key", pattern: /\bAIza[\w-]{35}\b/ },
  {
    id: "azure-ad-client-secret",
    what: "an Azure AD client secret",
    pattern: /(?:^|[\\'"`\s>=:(,)])[a-zA-Z0-9_~.]{3}\dQ~[a-zA-Z0-9_~.-]{31,34}(?:$|[\\'"`\s<),])/,
  },
  { id: "digitalocean-pat", what: "a DigitalOcean token", pattern: /\bdo[opr]_v1_[a-f0-9]{64}\b/ },
  { id: "alibaba-access-key-id", what: "an Alibaba Cloud access key", pattern: /\bLTAI[a-zA-Z0-9]{20}\b/ },
  // Source hosts support-job clones from
  { id: "github-pat", what: "a GitHub personal access token", pattern: /\bghp_[0-9a-zA-Z]{36}\b/ },
  { id: "github-fine-grained-pat", what: "a GitHub fine-grained token", pattern: /\bgithub_pat_\w{82}\b/ },
  { id: "github-oauth", what: "a GitHub OAuth token", pattern: /\bgho_[0-9a-zA-Z]{36}\b/ },
  { id: "github-app-token", what: "a GitHub App token", pattern: /\b(?:ghu|ghs)_[0-9a-zA-Z]{36}\b/ },
  { id: "github-refresh-token", what: "a GitHub refresh token", pattern: /\bghr_[0-9a-zA-Z]{36,76}\b/ },
  { id: "gitlab-pat", what: "a GitLab personal access token", pattern: /\bglpat-[\w-]{20,}/ },
  {
    id: "gitlab-tokens",
    what: "a GitLab token",
    pattern:
      /\b(?:glptt-[0-9a-f]{40}|GR1348941[\w-]{20}|gldt-[\w-]{20}|glrt-[\w-]{20}|glcbt-[\w-]{20,}|glimt-[\w-]{25}|glsoat-[\w-]{20}|glffct-[\w-]{20}|glagent-[\w-]{50}|gloas-[\w-]{64})/,
  },
  // Bitbucket app passwords and Atlassian API / repository access tokens (Atlassian's documented prefixes).
  { id: "bitbucket-app-password", what: "a Bitbucket app password", pattern: /\bATBB[a-zA-Z0-9]{32}/ },
  { id: "atlassian-api-token", what: "an Atlassian or Bitbucket access token", pattern: /\bAT(?:ATT|CTT)3[A-Za-z0-9_\-=]{100,}/ },
  // Chat and webhooks
  { id: "slack-token", what: "a Slack token", pattern: /\bxox[abeoprs]-(?:\d+-)?[0-9A-Za-z-]{10,}/ },
  { id: "slack-app-token", what: "a Slack app token", pattern: /\bxapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+/i },
  { id: "slack-webhook-url", what: "a Slack webhook URL", pattern: /hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/]{20,}/ },
  { id: "discord-webhook-url", what: "a Discord webhook URL", pattern: /discord(?:app)?\.com\/api\/webhooks\/\d+\/[\w-]{20,}/i },
  {
    id: "microsoft-teams-webhook",
    what: "a Microsoft Teams webhook URL",
    pattern: /\.webhook\.office\.com\/webhookb2\/|\.logic\.azure\.com(?::\d+)?\/workflows\/[^?\s]+\?[^\s]*\bsig=/i,
  },
  { id: "google-chat-webhook", what: "a Google Chat webhook URL", pattern: /chat\.googleapis\.com\/v1\/spaces\/[^?\s]+\?[^\s]*\btoken=/i },
  { id: "telegram-bot-api-token", what: "a Telegram bot token", pattern: /\b\d{5,16}:A[a-zA-Z0-9_-]{34}\b/ },
  // Package registries and developer services
  { id: "npm-access-token", what: "an npm token", pattern: /\bnpm_[a-zA-Z0-9]{36}\b/ },
  { id: "pypi-upload-token", what: "a PyPI token", pattern: /\bpypi-AgEIcHlwaS5vcmc[\w-]{50,}/ },
  { id: "stripe-access-token", what: "a Stripe key", pattern: /\b(?:sk|rk)_(?:test|live|prod)_[a-zA-Z0-9]{10,99}\b/ },
  { id: "sendgrid-api-token", what: "a SendGrid key", pattern: /\bSG\.[\w-]{22}\.[\w-]{43}\b/ },
  { id: "twilio-api-key", what: "a Twilio key", pattern: /\bSK[0-9a-fA-F]{32}\b/ },
  { id: "openai-api-key", what: "an OpenAI key", pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}/ },
  { id: "anthropic-api-key", what: "an Anthropic key", pattern: /\bsk-ant-(?:api|admin)\d\d-[\w-]{80,}/ },
  { id: "shopify-token", what: "a Shopify token", pattern: /\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b/ },
  { id: "hashicorp-vault-token", what: "a Vault token", pattern: /\bhv[sb]\.[\w-]{90,}/ },
  { id: "doppler-api-token", what: "a Doppler token", pattern: /\bdp\.pt\.[a-zA-Z0-9]{43}\b/ },
  { id: "postman-api-token", what: "a Postman key", pattern: /\bPMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34}\b/ },
  { id: "grafana-tokens", what: "a Grafana token", pattern: /\b(?:glc_[A-Za-z0-9+/]{32,}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})/ },
  { id: "databricks-api-token", what: "a Databricks token", pattern: /\bdapi[a-f0-9]{32}(?:-\d)?\b/ },
  { id: "new-relic-user-api-key", what: "a New Relic key", pattern: /\bNRAK-[a-zA-Z0-9]{27}\b/ },
  { id: "linear-api-key", what: "a Linear key", pattern: /\blin_api_[a-zA-Z0-9]{40}\b/ },
  { id: "sentry-access-token", what: "a Sentry token", pattern: /\bsntr[ysu]_[a-zA-Z0-9+/=_]{40,}/ },
  { id: "age-secret-key", what: "an age secret key", pattern: /AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}/ },
  // Structural
  { id: "private-key", what: "a private key", pattern: /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/ },
  { id: "jwt", what: "a JSON Web Token", pattern: /\bey[a-zA-Z0-9]{17,}\.ey[a-zA-Z0-9/\\_-]{17,}\.(?:[a-zA-Z0-9/\\_-]{10,}={0,2})?/ },
  { id: "curl-auth-header", what: "an HTTP authorization header", pattern: /(?:^|\bAuthorization:\s*)(?:Bearer|Basic|Token|Digest|Bot)\s+[\w=~@.+/-]{8,}/i },
  // Connection strings: scheme://user:password@host, and key=value forms (JDBC, ADO.NET, libpq, query strings).
  { id: "url-credentials", what: "a URL with a password", pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:[^\s@/]+@/i },
  {
    id: "password-assignment",
    what: "a connection string with a password",
    pattern: /(?:^|[\s;?&,])(?:password|passwd|pwd|pass|secret|token|access_token|api_?key|sig|x-amz-signature|x-amz-security-token)\s*=\s*[^\s;&,]{3,}/i,
  },
];

/**
 * Names that say the value is a secret. Words are matched within the name, so DB_PASSWORD, PGPASSWORD,
 * MYSQL_PWD, dbPass and STRIPE_APIKEY all count.
 */
const SECRET_NAME_WORDS =
  /passw(?:or)?d|passphrase|(?:^|_|[a-z])pwd(?:_|$)|(?:^|_|[a-z])pass(?:_|$)|secret|token|api_?key|apikey|auth_?key|private_?key|privkey|priv_key|client_?key|signing_?key|encryption_?key|master_?key|access_?key|credentials?|(?:^|_)creds(?:_|$)|cookie_?key|session_?key|webhook_?url|(?:^|_)dsn(?:_|$)|contrase[ñn]a/i;

/** Names that are secret-ish only when the value also looks random (KEY, AUTH, SALT, SIGNATURE). */
const WEAK_SECRET_NAME = /(?:^|_)(?:key|auth|salt|signature|sig|hash|hmac|cert|license|licence|otp|pin|seed)(?:_|$)/i;

/** Shannon entropy in bits per character. */
function shannonEntropy(text: string): number {
  if (!text) return 0;
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * A long random-looking token: base64/url-safe characters only, several character classes, and close to the most
 * entropy a string of its length can have (AWS secret keys, API keys under a neutral name). Hex alone (commit
 * SHAs, UUIDs) does not count unless the name hints at a secret.
 */
function looksRandom(value: string, loose = false): boolean {
  const token = value.trim();
  if (token.length < (loose ? 16 : 20) || !/^[A-Za-z0-9+/=_.~-]+$/.test(token)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[+/=_.~-]/].filter((r) => r.test(token)).length;
  const isHex = /^[0-9a-fA-F-]+$/.test(token);
  if (!loose && (classes < 3 || isHex)) return false;
  // Paths and file names (reports/2026/summary.csv) are structured, not random.
  if (loose && (classes < 2 || /[/.]/.test(token))) return false;
  const ceiling = Math.log2(Math.min(token.length, 64));
  return shannonEntropy(token) >= (loose ? 0.75 : 0.85) * ceiling;
}

/** Why a plaintext variable looks like a secret, in the user's words, or undefined. Never quotes the value. */
export function secretReason(name: string, value: string): string | undefined {
  if (SECRET_NAME_WORDS.test(name)) return "its name says it holds a secret";
  for (const rule of VALUE_RULES) if (rule.pattern.test(value)) return `its value looks like ${rule.what}`;
  if (looksRandom(value)) return "its value is a long random string, like a key";
  if (WEAK_SECRET_NAME.test(name) && looksRandom(value, true)) return "its name and random-looking value suggest a key";
  return undefined;
}

export function looksLikeSecret(name: string, value: string): boolean {
  return secretReason(name, value) !== undefined;
}
