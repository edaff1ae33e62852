#!/usr/bin/env bash
# The CI recipe as a user meets it, off GitHub:
#  1. the `run:` steps of the README's "Check every commit" workflow, executed as
#     GitHub would (bash, GITHUB_PATH, a cache hit for ~/.svcguide), in a
#     throw-away guide repository: a broken link fails with an annotation on
#     `content/...`, the fix passes, and on a pull request that deletes a page
#     the errors it causes in untouched files are reported;
#  2. pre-commit (from PyPI) running this repository's `.pre-commit-hooks.yaml`
#     (hook `svcguide-check-system`) on a commit: it fails on a broken link and
#     passes once the link is fixed.
# Usage: tests/ci_recipe.sh [path/to/svcguide]   (default: the debug binary)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-${CARGO_TARGET_DIR:-$repo/target}/debug/svcguide}"
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
[ -x "$bin" ] || { echo "no svcguide at $bin: run cargo build first" >&2; exit 1; }

if ! command -v pre-commit >/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check pre-commit
fi
python3 -c 'import yaml' # comes with pre-commit

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export GIT_AUTHOR_NAME=ci GIT_AUTHOR_EMAIL=ci@example.org GIT_COMMITTER_NAME=ci GIT_COMMITTER_EMAIL=ci@example.org
export GIT_CONFIG_GLOBAL=/dev/null PRE_COMMIT_HOME="$tmp/pre-commit-cache"
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# --- a small guide: alpha links to beta and to a heading of beta -------------
article() { # slug title body
  cat <<EOF
---
title: '$2'
status: publish
permalink: /article/$1.html
id: ${#1}${#2}
category:
    - 'Services Guide'
---
##### Description:

$3

##### Recommended State:

- Manual

##### Default State:

- WinXP: Manual

##### Process Name:

- $1.exe ($1)

##### Supports:

- None

##### Depends:

- None
EOF
}
new_guide() { # dir
  mkdir -p "$1/content/services"
  article winnt-services-alpha Alpha 'See [Beta](/article/winnt-services-beta.html#setup) and [Gamma](/article/winnt-services-gamma.html).' \
    >"$1/content/services/winnt-services-alpha.html.md"
  article winnt-services-beta Beta $'Text.\n\n###### Setup\n\nMore text.' >"$1/content/services/winnt-services-beta.html.md"
  article winnt-services-gamma Gamma 'Text.' >"$1/content/services/winnt-services-gamma.html.md"
  git -C "$1" init -q -b main
  git -C "$1" add -A
  git -C "$1" commit -q -m "guide"
}

# --- 1. the README workflow's run: steps ----------------------------------------
workflow="$tmp/workflow.json"
python3 - "$repo/README.md" "$workflow" <<'PY'
import json, re, sys, yaml
text = open(sys.argv[1]).read()
section = text.split("## Check every commit", 1)[1]
block = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
steps = yaml.safe_load(block)["jobs"]["check"]["steps"]
json.dump([s for s in steps if "run" in s], open(sys.argv[2], "w"))
PY

# Runs the step named $1 as GitHub would: bash -e, the expressions filled in,
# GITHUB_PATH read back. Prints the step's output; returns its exit code.
export HOME="$tmp/home" GITHUB_PATH="$tmp/github_path"
mkdir -p "$HOME/.svcguide/bin"
ln -s "$bin" "$HOME/.svcguide/bin/svcguide" # the cache hit: no cargo install here
: >"$GITHUB_PATH"
step() { # name event base_ref
  local script
  script="$(python3 - "$workflow" "$1" "$2" "$3" <<'PY'
import json, sys
steps = json.load(open(sys.argv[1]))
name, event, base = sys.argv[2:5]
step = next(s for s in steps if s.get("name") == name)
cond = step.get("if", "")
if cond:
    ok = eval(cond.replace("github.event_name", repr(event)).replace("!=", " != ").replace("==", " == "))
    if not ok:
        print(":")  # skipped, as GitHub would
        sys.exit()
print(step["run"].replace("${{ github.base_ref }}", base))
PY
)"
  local path="$PATH"
  while read -r dir; do [ -z "$dir" ] || path="$dir:$path"; done <"$GITHUB_PATH"
  PATH="$path" bash -e -c "$script"
}

guide="$tmp/guide"
new_guide "$guide"
cd "$guide"
step "Install svcguide (skipped when cached)" push "" || fail "install step"
grep -qx "$HOME/.svcguide/bin" "$GITHUB_PATH" || fail "install step did not add svcguide to GITHUB_PATH"
pass "install step (cache hit) puts svcguide on the PATH"

# A clean guide passes.
out="$(step "Check the whole guide" push "")" || fail "clean guide: $out"
pass "clean guide: exit 0"

# A broken link fails, annotated on the file as the repository names it.
sed -i 's/winnt-services-gamma.html)/winnt-services-gama.html)/' content/services/winnt-services-alpha.html.md
set +e
out="$(step "Check the whole guide" push "")"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "broken link: exit $rc, want 2: $out"
grep -q '^::error file=content/services/winnt-services-alpha.html.md,line=11,col=' <<<"$out" \
  || fail "no annotation on content/services/winnt-services-alpha.html.md: $out"
pass "broken link: exit 2, annotation on content/services/winnt-services-alpha.html.md:11"
git checkout -q -- content

# A pull request deleting beta: errors in alpha (untouched) are reported.
git init -q --bare "$tmp/origin.git"
git remote add origin "$tmp/origin.git"
git push -q origin main
git fetch -q origin
git checkout -q -b remove-beta
git rm -q content/services/winnt-services-beta.html.md
git commit -q -m "remove beta"
out="$(step "Check the whole guide" pull_request main)" || fail "the push-only step ran on a pull request"
set +e
out="$(step "Check what the pull request changes, and what it breaks elsewhere" pull_request main)"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "pull request deleting beta: exit $rc, want 2: $out"
grep -q '^::error file=content/services/winnt-services-alpha.html.md,.*title=link-broken' <<<"$out" \
  || fail "the broken link in the untouched alpha was not reported: $out"
pass "pull request deleting a page: exit 2, the link in the untouched article reported"
git checkout -q main

# --- 2. pre-commit with this repository's hooks ----------------------------------
# `try-repo` uses the hooks of the working tree (uncommitted changes included).
cd "$guide"
sed -i 's/winnt-services-gamma.html)/winnt-services-gama.html)/' content/services/winnt-services-alpha.html.md
git add -A
set +e
out="$(PATH="$HOME/.svcguide/bin:$PATH" pre-commit try-repo "$repo" svcguide-check-system 2>&1)"
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "pre-commit passed a broken link: $out"
grep -q 'link-broken' <<<"$out" || fail "pre-commit output does not name the broken link: $out"
pass "pre-commit: a broken link fails the hook"
sed -i 's/winnt-services-gama.html)/winnt-services-gamma.html)/' content/services/winnt-services-alpha.html.md
git add -A
out="$(PATH="$HOME/.svcguide/bin:$PATH" pre-commit try-repo "$repo" svcguide-check-system 2>&1)" \
  || fail "pre-commit failed on the fixed guide: $out"
pass "pre-commit: the fixed link passes"
echo "CI recipe: all passed"
