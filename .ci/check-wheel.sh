#!/usr/bin/env bash
# The installed tool, as a user gets it: a wheel built from the checkout, installed into a clean
# virtual environment, run from a folder outside the checkout. It builds the seed sources, then
# validates, counts, lists and runs queries (the library's and a user's own folder), traces,
# reports the evidence and exports every format. Any failure stops the script with its output.
set -euo pipefail
cd "$(dirname "$0")/.."
checkout="$PWD"
python="${PYTHON:-python3}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Build the wheel from a copy, so that setuptools' own build/ folder stays out of the checkout.
mkdir "$work/src"
cp -r kg ontology queries pyproject.toml README.md "$work/src/"
find "$work/src" -name __pycache__ -prune -exec rm -rf {} +
"$python" -m pip wheel --quiet --no-deps "$work/src" -w "$work/dist" 2>"$work/wheel.log" \
  || { cat "$work/wheel.log" >&2; exit 1; }
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet "$work"/dist/*.whl 2>"$work/install.log" \
  || { cat "$work/install.log" >&2; exit 1; }

run="$work/elsewhere"
mkdir -p "$run/my-queries"
cp -r "$checkout/sources" "$run/sources"
cat > "$run/my-queries/trials_and_phases.rq" <<'RQ'
#+ title: Trials and their phases (a user's own query, written for this check)
#+ question: Which trials are in the graph, and in which phase?
#+ returns: [trial, phase]
PREFIX cart: <https://w3id.org/cart-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?trial ?phase WHERE {
  ?t a cart:Trial ; rdfs:label ?trial ; cart:hasPhase/rdfs:label ?phase .
}
ORDER BY ?trial ?phase
RQ

cd "$run"
cartkg() { "$work/venv/bin/cartkg" "$@"; }
step() { echo "check-wheel: cartkg $*"; cartkg "$@" >"$work/out.txt" 2>&1 \
  || { cat "$work/out.txt" >&2; echo "check-wheel: failed: cartkg $*" >&2; exit 1; }; }

step build --sources sources --out build
step validate build
step stats
step queries
step queries --queries my-queries
grep -q trials_and_phases "$work/out.txt"
step query therapies_in_indications_by_trial_and_sponsor
step query safety_findings_for_therapy --param therapy=rese-cel --format json
step query trials_and_phases --queries my-queries
grep -q Breakfree-1 "$work/out.txt"
step trace rese-cel
step evidence
formats="$("$work/venv/bin/python" -c 'from kg.export.export import EXPORTERS; print(*EXPORTERS)')"
for format in $formats; do
  step export --format "$format" -o "exports/$format"
done
echo "check-wheel: ok (wheel installed outside the checkout: build, validate, stats, queries, query, trace, evidence, export $formats)"
