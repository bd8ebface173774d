#!/usr/bin/env bash
# The mechanical move of the AWS and random bindings to CDK Terrain's packages (issue 73, item 3): every per-resource
# path `@cdktf/provider-{aws,random}/lib/<resource>` becomes `@cdktn/provider-{aws,random}/lib/<resource>`, nothing
# else in the file touched. The other four bindings have no @cdktn package on the registry and stay.
set -euo pipefail
cd "$(dirname "$0")/.."
git grep -lE "@cdktf/provider-(aws|random)/lib/" -- '*.ts' '*.js' | xargs sed -i -E "s#@cdktf/provider-(aws|random)/lib/#@cdktn/provider-\1/lib/#g"
