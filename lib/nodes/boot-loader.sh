#!/bin/bash
# The Kubernetes servers' first boot, as their user data runs it (cloud-init runcmd, once per instance):
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
# Budget (tests shorten it): BOOT_FETCH_ATTEMPTS (10, 2 s apart doubling to at most 30 s: about 3 minutes).
set -euo pipefail

url=$1 region=$2 expected=$3
IMDS=http://169.254.169.254/latest
attempts=${BOOT_FETCH_ATTEMPTS:-10}
log() { echo "rancher-aws-boot-loader: $*" >&2; }

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

# fetch: one attempt at the document, into $work/document; 0 when S3 answered 200.
fetch() {
  local role creds config status
  role=$(imds meta-data/iam/security-credentials/) || { log "no instance role in the instance metadata yet"; return 1; }
  creds=$(imds "meta-data/iam/security-credentials/$role") || { log "no credentials of $role yet"; return 1; }
  config=$(signed_get <<<"$creds") || return 1
  status=$(printf '%s\n' "$config" | curl -s --config - --connect-timeout 5 --max-time 60 -o "$work/document" -w '%{http_code}' "$url") || status=000
  [ "$status" = 200 ] && return 0
  # 000: no connection (an endpoint or route still coming up); 5xx and 503 SlowDown: S3's own; 403: the role's
  # grant still propagating (IAM is eventually consistent). All retried, within the budget.
  log "GET $url: HTTP $status $(head -c 300 "$work/document" 2>/dev/null | tr -d '\n' || true)"
  return 1
}

n=1 delay=2
until fetch; do
  if [ "$n" -ge "$attempts" ]; then
    log "giving up after $n attempts: this server's boot document could not be read; nothing was applied"
    exit 1
  fi
  n=$((n + 1))
  sleep "$delay"
  delay=$((delay * 2 > 30 ? 30 : delay * 2))
done

actual=$(sha256sum "$work/document")
actual=${actual%% *}
if [ "$actual" != "$expected" ]; then
  log "the boot document's SHA-256 is $actual, this server's user data expects $expected: refusing it, nothing was applied"
  exit 1
fi

# The document as cloud-init would apply it: every file checked before any is written, then written (its folder
# made as cloud-init makes it, 0755), then the commands run in order, stopping at the first that fails.
python3 -c 'import grp, os, pwd, re, subprocess, sys, tempfile, yaml
text = open(sys.argv[1], encoding="utf-8").read()
def refuse(why):
    sys.exit("rancher-aws-boot-loader: refusing the boot document: %s; nothing was applied" % why)
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
log "applied $url ($expected)"
