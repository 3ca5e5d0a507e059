#!/usr/bin/env bash
# Try support-job with no AWS account: install, start a local AWS emulator (moto + a small compatibility
# proxy), create a job against it, look at it, run it once, and stop the emulator. Nothing touches real AWS.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

[ -d node_modules ] || npm ci --no-audit --no-fund
# The pinned moto_server from the PATH, else the project's own copy in .local-aws/ (installed on the first run);
# on failure it has said why in a line or two.
SUPPORT_JOB_MOTO_SERVER=$(node --import tsx tools/local-aws/provision.ts) || exit 1
export SUPPORT_JOB_MOTO_SERVER
[ -f dist/cli.js ] || npm run build --silent

work=$(mktemp -d "${TMPDIR:-/tmp}/support-job-try-XXXXXX")
endpoint_file="$work/.endpoint"
node --import tsx "$root/tools/local-aws/serve.ts" >"$endpoint_file" 2>"$work/.local-aws.log" &
emulator=$!
cleanup() {
  kill "$emulator" 2>/dev/null || true
  wait "$emulator" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
for _ in $(seq 1 100); do
  grep -q '^AWS_ENDPOINT_URL=' "$endpoint_file" 2>/dev/null && break
  kill -0 "$emulator" 2>/dev/null || { cat "$work/.local-aws.log" >&2; exit 1; }
  sleep 0.1
done
grep -q '^AWS_ENDPOINT_URL=' "$endpoint_file" || { echo "the local AWS emulator did not start" >&2; exit 1; }

# Only the emulator: no profile, no real credentials, whatever this shell had.
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_DEFAULT_PROFILE
export AWS_ENDPOINT_URL="$(sed -n 's/^AWS_ENDPOINT_URL=//p' "$endpoint_file")"
export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_REGION=us-east-1
export AWS_CONFIG_FILE="$work/.no-config" AWS_SHARED_CREDENTIALS_FILE="$work/.no-credentials"
cd "$work"
sj() { node "$root/dist/cli.js" "$@"; }
step() { printf '\n\033[1m$ support-job %s\033[0m\n' "$*"; }

echo "Local AWS emulator at $AWS_ENDPOINT_URL (account 123456789012); working folder $work"
step init --yes --name nightly-cleanup ...
sj init --yes --name nightly-cleanup --repo https://github.com/acme/ops-scripts.git --branch support-jobs \
  --schedule "cron(0 7 ? * MON-FRI *)" --timezone Europe/Paris --email ops@example.com \
  --env STAGE=prod --env DB_PASSWORD=ssm:/nightly-cleanup/db-password
step "init --yes   (again: nothing to change)"
sj init --yes
step run-now --wait
sj run-now --wait
step status
sj status
echo
echo "support-job.json in $work holds the job's settings. The emulator stops now."
