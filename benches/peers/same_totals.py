"""Check a benchmark peer's RESULT.csv against gongkai's run.json.

    python same_totals.py RUN_JSON RESULT_CSV [--template lps2018.toml]

run.json's `returns` hold, per district and city, `cells` by code
(null = nobody reported the row). The peer's CSV holds level,name,code,value
for the rows it summed. Every (level, name, code) must agree within 1e-6:
a value on one side and none on the other is a difference, except that rows
the peers never sum (heading, city_only) are only compared if the CSV has them.
Exits 0 when all agree, else prints the differences and exits 1. Stdlib only.
"""
import argparse
import csv
import json
import sys
import tomllib
from pathlib import Path

TOLERANCE = 1e-6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_json", type=Path)
    parser.add_argument("result_csv", type=Path)
    parser.add_argument("--template", type=Path,
                        default=Path(__file__).resolve().parents[2] / "templates" / "lps2018.toml")
    args = parser.parse_args()

    with open(args.template, "rb") as f:
        rows = tomllib.load(f)["tables"][0]["rows"]  # the form's one table
    codes = [r["code"] for r in rows]
    unsummed = {r["code"] for r in rows
                if r["kind"] == "heading" or r.get("city_only", False)}

    run = json.loads(args.run_json.read_text(encoding="utf-8"))
    expected = {}
    for ret in run["returns"]:
        cells = {c["code"]: c["value"] for c in ret["cells"]}
        if sorted(cells) != sorted(codes):
            sys.exit(f"{ret['level']} {ret['name']}: {len(cells)} cells, "
                     f"template has {len(codes)} rows")
        for code in codes:
            expected[(ret["level"], ret["name"], code)] = cells[code]

    got = {}
    with open(args.result_csv, encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            value = float(r["value"]) if r["value"].strip() else None
            got[(r["level"], r["name"], r["code"])] = value

    diffs = []
    for key in sorted(expected.keys() | got.keys()):
        want, have = expected.get(key), got.get(key)
        if key[2] in unsummed and key not in got:
            continue
        if want is None and have is None:
            continue
        if want is None or have is None or abs(want - have) > TOLERANCE:
            if key not in expected:
                want = "(not in run.json)"
            diffs.append((key, want, have))

    places = {(r["level"], r["name"]) for r in run["returns"]}
    if diffs:
        print(f"{len(diffs)} differences (level name code: gongkai vs peer):")
        for (level, name, code), want, have in diffs:
            print(f"  {level} {name} {code}: {want} vs {have}")
        sys.exit(1)
    print(f"same totals: {len(places)} districts/cities, {len(codes)} rows each")


if __name__ == "__main__":
    main()
