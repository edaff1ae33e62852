#!/usr/bin/env bash
# Proof that a change leaves the built site alone: builds svcguide at a git
# revision and from the working tree, has both build the same guides, and
# compares the outputs with `diff -r`. Exits non-zero on any difference.
#
#   scripts/same-output.sh [REV]            default REV: main
#   ARTICLES=1000 scripts/same-output.sh    a smaller generated guide
#   KEEP=1 scripts/same-output.sh           keep the work folder to look at
#
# The guides: the bundled one (content/), the real sample articles
# (../shared/corpus-sample, when present) and a generated one of ARTICLES
# (default 10,000) articles. Each is built with a base URL, so that the feed,
# sitemap and canonical links carry absolute URLs.
#
# Both binaries are built in release mode in the usual target folder, one after
# the other (the revision's from a `git archive` copy), so the dependencies are
# compiled once for both.
set -euo pipefail
cd "$(dirname "$0")/.."
rev="${1:-main}"
articles="${ARTICLES:-10000}"
base_url="https://example.org/guide/"
target="${CARGO_TARGET_DIR:-$PWD/target}"
work="$(mktemp -d)"
if [ -z "${KEEP:-}" ]; then
  trap 'rm -rf "$work"' EXIT
else
  echo "working in $work"
fi

commit="$(git rev-parse --verify "$rev^{commit}")"
echo "revision $rev = $commit"
mkdir "$work/src"
git archive "$commit" | tar -x -C "$work/src"
(cd "$work/src" && CARGO_TARGET_DIR="$target" cargo build --release --quiet --bin svcguide)
cp "$target/release/svcguide" "$work/before"
cargo build --release --quiet --bin svcguide --example gen_corpus
cp "$target/release/svcguide" "$work/after"
"$target/release/examples/gen_corpus" "$articles" "$work/generated" >/dev/null

guides=("content" "$work/generated")
shared="$(cd .. && pwd)/shared/corpus-sample"
if [ -d "$shared" ]; then
  guides+=("$shared")
else
  echo "no $shared: not compared"
fi

status=0
for guide in "${guides[@]}"; do
  name="$(basename "$guide")"
  for side in before after; do
    # A failed build is compared too: both sides must fail alike.
    code=0
    "$work/$side" build --quiet --content "$guide" --base-url "$base_url" \
      --output "$work/out-$side-$name" 2>"$work/stderr-$side-$name" || code=$?
    echo "$code" >"$work/code-$side-$name"
  done
  if ! cmp -s "$work/code-before-$name" "$work/code-after-$name"; then
    echo "DIFFERENT exit status: $name"
    status=1
  fi
  if diff -r "$work/out-before-$name" "$work/out-after-$name" >"$work/diff-$name"; then
    echo "same: $name ($(find "$work/out-after-$name" -type f | wc -l) files)"
  else
    echo "DIFFERENT: $name"
    head -n 40 "$work/diff-$name"
    status=1
  fi
done
exit "$status"
