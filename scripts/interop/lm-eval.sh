#!/usr/bin/env bash
# Run EleutherAI's lm-evaluation-harness (`--model local-completions`) against `vernacular serve-model`
# on the sample's exported tasks and compare its per-item log-likelihoods with `vernacular eval run`.
#
#   scripts/interop/lm-eval.sh            # builds out/sample first if it is missing (~4 min)
#
# Environment: SAMPLE (a built sample, default out/sample), LMEVAL_VENV (default
# $XDG_CACHE_HOME/vernacular/lm-eval-venv, outside the repository), WORK (scratch folder, default a
# fresh mktemp -d), LIMIT (the first N items of each task, default all), TOL (default 1e-3).
# Python and lm-eval are needed only here: the npm test suite does not use them.
# Exit: 0 all compared items within TOL, 1 some differ, 2 lm-eval could not be installed or run.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
SAMPLE="${SAMPLE:-out/sample}"
VENV="${LMEVAL_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/vernacular/lm-eval-venv}"
WORK="${WORK:-$(mktemp -d -t vernacular-lmeval-XXXXXX)}"
TOL="${TOL:-1e-3}"
mkdir -p "$WORK"
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
export HF_HOME="$WORK/hf" HF_DATASETS_CACHE="$WORK/hf/datasets"
case "$VENV" in "$ROOT"/*) echo "LMEVAL_VENV must be outside the repository ($VENV)" >&2; exit 2 ;; esac
say() { printf '\n== %s\n' "$*"; }

# 1. lm-eval in a venv, from the package indexes pip is configured with (pip config list). When
#    they are local (file://), they are the main index too, so pip does not wait on pypi.org.
if [ ! -x "$VENV/bin/lm_eval" ]; then
  say "installing lm-evaluation-harness into $VENV"
  python3 -m venv "$VENV" || { echo "cannot create a venv (python3 -m venv)" >&2; exit 2; }
  LOCAL_INDEX="$(pip config list 2>/dev/null | sed -n "s/^global.extra-index-url='\(file:[^ ']*\).*/\1/p" | head -1)"
  if [ -n "$LOCAL_INDEX" ] && [ -z "${PIP_INDEX_URL:-}" ]; then export PIP_INDEX_URL="$LOCAL_INDEX"; fi
  "$VENV/bin/pip" install -q --no-deps lm_eval || { echo "pip could not install lm_eval" >&2; exit 2; }
  "$VENV/bin/pip" install -q jinja2 markupsafe sacrebleu portalocker regex tabulate colorama lxml more-itertools tenacity transformers tokenizers safetensors datasets requests aiohttp \
    || { echo "pip could not install lm_eval's dependencies" >&2; exit 2; }
fi
"$VENV/bin/python" -c 'import lm_eval, importlib.metadata as m; print("lm_eval", m.version("lm_eval"))'

# 2. the sample build (its eval suite and baseline)
if [ ! -f "$SAMPLE/eval/suite.yaml" ] || [ ! -f "$SAMPLE/baseline/balanced.json.gz" ]; then
  say "building the sample into $SAMPLE"
  npm run build --silent
  node bin/vernacular.js run --config corpora/sample/vernacular.yaml --out "$SAMPLE" --insecure-dev-secret
fi
[ -f dist/cli/index.js ] || npm run build --silent
MODEL="$SAMPLE/baseline/balanced.json.gz"
SUITE="$WORK/suite.yaml"
# the suite without generation (lm-eval has no variety judge), and LIMIT if set
node -e '
  const fs = require("fs"), path = require("path"), YAML = require("yaml");
  const [src, dst, limit] = process.argv.slice(1);
  const s = YAML.parse(fs.readFileSync(src, "utf8"));
  s.tasks = s.tasks.filter((t) => t.task !== "generation").map((t) => ({ ...t, set: path.resolve(path.dirname(src), t.set), ...(limit ? { limit: Number(limit) } : {}) }));
  fs.writeFileSync(dst, YAML.stringify(s));
' "$SAMPLE/eval/suite.yaml" "$SUITE" "${LIMIT:-}"

# 3. export, then move the folder: the tasks must load from where they end up
say "exporting the tasks"
node bin/vernacular.js eval export --suite "$SUITE" --format lm-eval --out "$WORK/tasks-exported"
mv "$WORK/tasks-exported" "$WORK/tasks"

# 4. serve the baseline
PORT_LOG="$WORK/serve.log"
node bin/vernacular.js serve-model --model "ngram:$MODEL" --port 0 >"$PORT_LOG" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
PORT=""
for _ in $(seq 1 100); do
  PORT="$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$PORT_LOG" | head -1)"
  [ -n "$PORT" ] && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$PORT_LOG" >&2; exit 2; }
  sleep 0.2
done
[ -n "$PORT" ] || { echo "serve-model did not start" >&2; cat "$PORT_LOG" >&2; exit 2; }
echo "serve-model on port $PORT"

# 5. lm-eval. pytablewriter (only used to print the results table) is not on every index: when it
#    is missing, the table is printed with tabulate through a stand-in with the same two classes.
say "lm_eval --model local-completions"
TASKS="vernacular_variety_choice,vernacular_variety_choice_preamble,vernacular_perplexity,vernacular_dialect_id"
"$VENV/bin/python" - "$PORT" "$WORK" "$TASKS" <<'PY'
import sys, types
port, work, tasks = sys.argv[1:4]
try:
    import pytablewriter  # noqa: F401
except ImportError:
    from tabulate import tabulate
    class _Writer:
        headers = []; value_matrix = []
        def dumps(self): return tabulate(self.value_matrix, headers=self.headers, tablefmt="github")
    sys.modules["pytablewriter"] = types.SimpleNamespace(MarkdownTableWriter=_Writer, LatexTableWriter=_Writer)
from lm_eval.__main__ import cli_evaluate
sys.argv = ["lm_eval", "--model", "local-completions",
            "--model_args", f"model=baseline,base_url=http://127.0.0.1:{port}/v1/completions,tokenizer_backend=remote,num_concurrent=1,max_length=100000",
            "--batch_size", "32", "--include_path", f"{work}/tasks", "--tasks", tasks,
            "--log_samples", "--output_path", f"{work}/lm-eval-out"]
cli_evaluate()
PY

# 6. the project's own run, in process
say "vernacular eval run"
node bin/vernacular.js eval run --model "ngram:$MODEL" --suite "$SUITE" --out "$WORK/vernacular-run" >/dev/null

# 7. per item: lm-eval's log-likelihoods against the project's
say "comparing per-item log-likelihoods (tolerance $TOL)"
"$VENV/bin/python" - "$WORK" "$PORT" "$TOL" <<'PY'
import glob, json, sys, urllib.request
work, port, tol = sys.argv[1], sys.argv[2], float(sys.argv[3])
ours = {}
for line in open(f"{work}/vernacular-run/samples.jsonl", encoding="utf-8"):
    s = json.loads(line)
    if s["task"] in ("variety-choice", "dialect-id"):
        ours[(s["task"] + ("_preamble" if s.get("variant") == "preamble" else ""), s["id"])] = s["loglikelihoods"]
    elif s["task"] == "perplexity":
        ours[("perplexity", s["id"])] = [s["loglikelihood"]]

def ws_logprob(context):
    """lm-eval moves a context's trailing whitespace into the continuation, so its log-likelihood
    also holds log P(whitespace | the rest of the context): asked of the same server."""
    n = len(context) - len(context.rstrip())
    if n == 0:
        return 0.0
    body = json.dumps({"model": "baseline", "prompt": context, "max_tokens": 0, "echo": True, "logprobs": 0}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/completions", body, {"content-type": "application/json"})
    lp = json.load(urllib.request.urlopen(req))["choices"][0]["logprobs"]["token_logprobs"]
    return sum(lp[-n:])

stats = {}
for f in sorted(glob.glob(f"{work}/lm-eval-out/**/samples_*.jsonl", recursive=True)):
    name = f.rsplit("samples_", 1)[1].rsplit("_", 1)[0]
    group = next(g for g in ("variety_choice_preamble", "variety_choice", "dialect_id", "perplexity") if name.startswith("vernacular_" + g))
    key = group.replace("_preamble", "").replace("_", "-") + ("_preamble" if group.endswith("_preamble") else "")
    st = stats.setdefault(key, {"items": 0, "values": 0, "max": 0.0, "over": 0, "missing": 0, "same_pick": 0, "ws_items": 0})
    for line in open(f, encoding="utf-8"):
        s = json.loads(line)
        doc = s["doc"]
        def first(x):
            while isinstance(x, (list, tuple)):
                x = x[0]
            return float(x)
        theirs = [first(r) for r in s["resps"]]
        mine = ours.get((key, doc["id"]))
        if mine is None:
            st["missing"] += 1
            continue
        st["items"] += 1
        shift = 0.0
        if key != "perplexity":
            ctx = doc["context_preamble"] if key.endswith("_preamble") else doc["context"]
            shift = ws_logprob(ctx)
            if shift:
                st["ws_items"] += 1
        for a, b in zip(theirs, mine):
            d = abs(a - (b + shift))
            st["values"] += 1
            st["max"] = max(st["max"], d)
            st["over"] += d >= tol
        if key != "perplexity":
            st["same_pick"] += theirs.index(max(theirs)) == mine.index(max(mine))
bad = 0
print(f"{'task':28}{'items':>7}{'values':>8}{'max |Δ|':>12}{'≥ tol':>7}{'same pick':>11}{'ws moved':>10}{'missing':>9}")
for k, st in sorted(stats.items()):
    print(f"{k:28}{st['items']:>7}{st['values']:>8}{st['max']:>12.2e}{st['over']:>7}{(str(st['same_pick']) if k != 'perplexity' else '-'):>11}{st['ws_items']:>10}{st['missing']:>9}")
    bad += st["over"] + st["missing"]
res = json.load(open(sorted(glob.glob(f"{work}/lm-eval-out/**/results_*.json", recursive=True))[-1]))["results"]
ourres = json.load(open(f"{work}/vernacular-run/results.json"))["tasks"]
print("\nper-locale metrics, lm-eval vs vernacular eval run:")
for task, metric, group, lmmetric in [("variety-choice", "acc", "vernacular_variety_choice", "acc,none"), ("variety-choice", "acc_bytes", "vernacular_variety_choice", "acc_bytes,none"),
                                      ("variety-choice", "acc_preamble", "vernacular_variety_choice_preamble", "acc,none"), ("dialect-id", "acc", "vernacular_dialect_id", "acc,none"),
                                      ("dialect-id", "acc_bytes", "vernacular_dialect_id", "acc_bytes,none"), ("perplexity", "bits_per_byte", "vernacular_perplexity", "bits_per_byte,none")]:
    per = ourres[task][metric]["perLocale"]
    diffs = []
    for loc, e in per.items():
        r = res.get(group + "_" + loc.replace("-", "_"))
        if r is not None:
            diffs.append(abs(r[lmmetric] - e["value"]))
    g = res.get(group, {}).get(lmmetric)
    print(f"  {task:15}{metric:15} {len(diffs):>3} locales, max |Δ| {max(diffs):.2e}; group: lm-eval {g if g is None else round(g, 4)} vs macro {ourres[task][metric]['macro']:.4f}")
print(f"\n{'ALL WITHIN' if bad == 0 else 'DIFFERENCES:'} {bad} value(s) at or over {tol} or missing")
sys.exit(1 if bad else 0)
PY
