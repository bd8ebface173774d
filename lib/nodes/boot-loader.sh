#!/bin/bash
# The Kubernetes servers' first boot, as their user data starts it (a systemd unit, rancher-aws-boot-loader.service,
# written and enabled by cloud-init; it runs again after a reboot until it has succeeded once):
#   rancher-aws-boot-loader URL REGION SHA256
# fetches this server's boot document from the deployment's boot bucket (URL: https://<bucket regional domain>/<key>)
# with the instance role, checks it against SHA256 (carried by the user data, so the user data changes whenever the
# document does), and applies it as cloud-init would have applied it as user data: its write_files (path, content,
# owner, permissions), then its runcmd, in order. Anything else in the document, or any other key of a file, is
# refused before a file is written: the loader implements these and nothing more, so it fails closed.
#
# Self-contained (the boot helpers it would share are in the document it fetches). It needs curl and python3 with
# PyYAML, which cloud-init itself runs on. The request is signed here, in python3: curl's --aws-sigv4 signs only
# host and x-amz-date up to 7.85 (RHEL 9 ships 7.76.1), and S3 wants x-amz-content-sha256 and the session token
# signed. Credentials reach curl on stdin (--config -), never on its command line. A proxy, when the servers have
# one, comes from HTTPS_PROXY / NO_PROXY in the environment, as for every curl of the servers.
#
# A brownout is waited out: every failure to read the document (no role or credentials yet, no connection, S3's or
# KMS's 5xx, a 403 while a grant propagates or the clock is not synced yet, a document whose SHA-256 is not this
# server's) is retried, 2 s after the first and doubling to at most every 60 s, for as long as it takes; each one's
# reason is one line on stderr, which the unit sends to the console (aws ec2 get-console-output). After 30 minutes it
# says so once. A document it refuses exits 78 (no retry changes those bytes); a command of the document that fails
# exits 1 (the unit runs the loader again a minute later). Once applied, STAMP records it: never applied twice.
set -euo pipefail

url=$1 region=$2 expected=$3
IMDS=http://169.254.169.254/latest
STAMP=/var/lib/rancher/rancher-aws/boot-document-applied
log() { echo "rancher-aws-boot-loader: $*" >&2; }

if [ -e "$STAMP" ]; then
  log "applied already: $(<"$STAMP")"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# imds PATH: one instance metadata value, through an IMDSv2 session token.
imds() {
  local token
  token=$(curl -sf --connect-timeout 2 --max-time 5 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' "$IMDS/api/token") || return 1
  curl -sf --connect-timeout 2 --max-time 5 -H "X-aws-ec2-metadata-token: $token" "$IMDS/$1"
}

# signed_get: curl config lines for a signed GET of URL in REGION (AWS Signature Version 4, S3: every x-amz header
# signed, the empty payload's hash), from the role's credentials (the IMDS JSON on stdin).
signed_get() {
  python3 -c 'import datetime, hashlib, hmac, json, sys
url, region = sys.argv[1], sys.argv[2]
creds = json.load(sys.stdin)
host, _, path = url[len("https://"):].partition("/")
now = datetime.datetime.now(datetime.timezone.utc)
stamp, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
headers = {"host": host, "x-amz-content-sha256": hashlib.sha256(b"").hexdigest(), "x-amz-date": stamp, "x-amz-security-token": creds["Token"]}
names = ";".join(sorted(headers))
canonical = "\n".join(["GET", "/" + path, "", *("%s:%s" % (k, headers[k]) for k in sorted(headers)), "", names, headers["x-amz-content-sha256"]])
scope = "%s/%s/s3/aws4_request" % (day, region)
to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
key = ("AWS4" + creds["SecretAccessKey"]).encode()
for part in (day, region, "s3", "aws4_request"):
    key = hmac.new(key, part.encode(), hashlib.sha256).digest()
signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
headers["authorization"] = "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (creds["AccessKeyId"], scope, names, signature)
for k, v in headers.items():
    if k != "host":
        print("header = \"%s: %s\"" % (k, v))' "$url" "$region"
}

# fetch: one attempt at the document, into $work/document; 0 when S3 answered 200 with the expected SHA-256, else
# the reason in $reason.
fetch() {
  local role creds config status actual body
  reason="no instance role in the instance metadata yet"
  role=$(imds meta-data/iam/security-credentials/) || return 1
  reason="no credentials of $role yet"
  creds=$(imds "meta-data/iam/security-credentials/$role") || return 1
  reason="could not sign the request"
  config=$(signed_get <<<"$creds") || return 1
  rm -f "$work/document"
  status=$(printf '%s\n' "$config" | curl -s --config - --connect-timeout 5 --max-time 60 -o "$work/document" -w '%{http_code}' "$url") || status=000
  if [ "$status" != 200 ]; then
    # 000: no connection (an endpoint or route still coming up); 5xx: S3's own or KMS's behind it (503 SlowDown);
    # 403: the role's grant still propagating (IAM is eventually consistent), or RequestTimeTooSkewed (this clock).
    # Of S3's answer only its code and message: a SignatureDoesNotMatch carries the canonical request, the session
    # token in it, and these lines reach the console.
    reason="GET $url: HTTP $status"
    body=$(cat "$work/document" 2>/dev/null) || body=""
    [[ $body =~ \<Code\>([^<]*).*\<Message\>([^<]*) ]] && reason+=" ${BASH_REMATCH[1]}: ${BASH_REMATCH[2]}"
    return 1
  fi
  actual=$(sha256sum "$work/document")
  actual=${actual%% *}
  [ "$actual" = "$expected" ] && return 0
  # An object written again after this server was made: it stays refused unless the object is written back.
  reason="the boot document's SHA-256 is $actual, this server's user data expects $expected: refusing it"
  return 1
}

# 2 s after the first attempt, doubling to every 60 s; said once when the pauses reach 30 minutes. Tests bound the
# attempts (BOOT_FETCH_ATTEMPTS: the loader exits 1 after that many).
n=1 delay=2 waited=0
until fetch; do
  log "attempt $n: $reason; nothing applied yet, next attempt in $delay s"
  [ "$n" != "${BOOT_FETCH_ATTEMPTS:-}" ] || exit 1
  sleep "$delay"
  waited=$((waited + delay))
  [ "$waited" -lt 1800 ] || [ "$((waited - delay))" -ge 1800 ] || log "not applied after 30 minutes: trying every 60 s until it is (docs/recover.md)"
  n=$((n + 1)) delay=$((delay * 2 > 60 ? 60 : delay * 2))
done

# The document as cloud-init would apply it: every file checked before any is written, then written (its folder
# made as cloud-init makes it, 0755), then the commands run in order, stopping at the first that fails. A refusal
# exits 78: the same bytes are refused however often they are read (the unit does not run the loader again for it).
python3 -c 'import grp, os, pwd, re, subprocess, sys, tempfile, yaml
text = open(sys.argv[1], encoding="utf-8").read()
def refuse(why):
    print("rancher-aws-boot-loader: refusing the boot document: %s; nothing was applied" % why, file=sys.stderr)
    sys.exit(78)
if not text.startswith("#cloud-config\n"):
    refuse("it is not a #cloud-config document")
doc = yaml.safe_load(text)
if not isinstance(doc, dict):
    refuse("it is not a mapping")
if set(doc) - {"write_files", "runcmd"}:
    refuse("it has %s, and this loader applies only write_files and runcmd" % ", ".join(sorted(set(doc) - {"write_files", "runcmd"})))
files, commands = doc.get("write_files") or [], doc.get("runcmd") or []
if not isinstance(files, list) or not isinstance(commands, list):
    refuse("write_files and runcmd must be lists")
for f in files:
    if not isinstance(f, dict) or set(f) != {"path", "content", "owner", "permissions"}:
        refuse("a file must have exactly path, content, owner and permissions: %r" % (sorted(f) if isinstance(f, dict) else f))
    if not all(isinstance(f[k], str) for k in f):
        refuse("%r: every field must be text" % f["path"])
    if not f["path"].startswith("/") or "/../" in f["path"] + "/":
        refuse("%r is not an absolute path" % f["path"])
    if not re.fullmatch("0?[0-7]{3,4}", f["permissions"]):
        refuse("%s: permissions %r are not octal" % (f["path"], f["permissions"]))
    user, _, group = f["owner"].partition(":")
    try:
        f["uid"], f["gid"] = pwd.getpwnam(user).pw_uid, grp.getgrnam(group or user).gr_gid
    except KeyError:
        refuse("%s: no owner %r on this server" % (f["path"], f["owner"]))
for c in commands:
    if not isinstance(c, list) or not c or not all(isinstance(a, str) for a in c):
        refuse("a command must be a list of words: %r" % (c,))
for f in files:
    folder = os.path.dirname(f["path"])
    os.makedirs(folder, mode=0o755, exist_ok=True)
    fd, part = tempfile.mkstemp(dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(f["content"])
    os.chown(part, f["uid"], f["gid"])
    os.chmod(part, int(f["permissions"], 8))
    os.replace(part, f["path"])
for c in commands:
    if subprocess.run(c).returncode != 0:
        sys.exit("rancher-aws-boot-loader: %s failed" % " ".join(c))' "$work/document"
mkdir -p "${STAMP%/*}"
echo "$expected $(date -u +%FT%TZ)" >"$STAMP"
log "applied $url ($expected) after $n attempts"
