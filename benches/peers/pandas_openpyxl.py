"""Roll up township 政府信息公开情况统计表 forms to district and city totals
with pandas + openpyxl.

A benchmark peer of gongkai: the script an analyst would write instead of
gongkai for the same rollup (no checks, no reports, only the totals).

    python pandas_openpyxl.py YEAR_DIR --template lps2018.toml --out RESULT.csv [--jobs N]

YEAR_DIR holds <district>/<township>.xlsx. Each form's rows are found by
their labels (see the template), the value is read from the 统计数 column,
and the values are summed per (district, code) and per (city, code),
leaving out heading and city_only rows. Writes level,name,code,value.
"""
import argparse
import os
import re
import sys
import time
import tomllib
from functools import partial
from multiprocessing import Pool
from pathlib import Path
from unicodedata import normalize

import pandas as pd

NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def norm(text):
    """NFKC, then no whitespace at all (full-width spaces included)."""
    return re.sub(r"\s+", "", normalize("NFKC", str(text)))


def parse_value(cell):
    """A number as is, "33条" or "1,234" as its number, blank as None."""
    if pd.isna(cell):
        return None
    if isinstance(cell, (int, float)):
        return float(cell)
    match = NUMBER.search(norm(cell).replace(",", ""))
    return float(match.group()) if match else None


def first_text(row):
    return next((norm(c) for c in row if isinstance(c, str) and norm(c)), None)


def read_form(path, codes_by_label):
    """[(district, township, code, value)] for one file, or [] if no form."""
    sheets = pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl")
    for df in sheets.values():
        is_header = df.map(lambda c: isinstance(c, str) and norm(c) == "统计数")
        if not is_header.to_numpy().any():
            continue
        header_row = is_header.any(axis=1).idxmax()
        value_col = df.columns.get_loc(is_header.any(axis=0).idxmax())
        body = df.loc[header_row + 1 :]
        form = pd.DataFrame({
            "label": body.iloc[:, :value_col].apply(first_text, axis=1),
            "value": body.iloc[:, value_col].map(parse_value),
        })
        form = form[form["label"].isin(codes_by_label.keys())]
        # Labels repeat ((二)被依法纠错数 is R63 and R67): the n-th row with
        # a label is the n-th template row with it.
        nth = form.groupby("label").cumcount()
        codes = [codes_by_label[l][n] if n < len(codes_by_label[l]) else None
                 for l, n in zip(form["label"], nth)]
        district, township = path.parent.name, path.stem
        return [(district, township, code, value)
                for code, value in zip(codes, form["value"]) if code]
    print(f"{path}: no 统计数 column, skipped", file=sys.stderr)
    return []


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("year_dir", type=Path)
    parser.add_argument("--template", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--city", default="六盘水市")
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    args = parser.parse_args()
    start = time.perf_counter()

    with open(args.template, "rb") as f:
        rows = tomllib.load(f)["tables"][0]["rows"]  # the form's one table
    codes_by_label = {}
    for row in rows:
        codes_by_label.setdefault(norm(row["label"]), []).append(row["code"])
    summed = [r["code"] for r in rows
              if r["kind"] != "heading" and not r.get("city_only", False)]

    files = sorted(p for p in args.year_dir.glob("*/*.xlsx")
                   if not p.name.startswith("~$"))
    with Pool(args.jobs) as pool:
        per_file = pool.map(partial(read_form, codes_by_label=codes_by_label), files)
    forms = sum(1 for records in per_file if records)
    long = pd.DataFrame([r for records in per_file for r in records],
                        columns=["district", "township", "code", "value"])
    long["value"] = long["value"].astype("float64")

    # Sum what was reported; a row nobody reported stays out (not 0).
    reported = long[long["code"].isin(summed) & long["value"].notna()]
    district = (reported.groupby(["district", "code"], as_index=False)["value"].sum()
                .rename(columns={"district": "name"}).assign(level="district"))
    city = (reported.groupby("code", as_index=False)["value"].sum()
            .assign(level="city", name=args.city))
    result = (pd.concat([district, city])[["level", "name", "code", "value"]]
              .sort_values(["level", "name", "code"]))
    result.to_csv(args.out, index=False)

    print(f"{Path(__file__).stem}: {forms} forms, {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
