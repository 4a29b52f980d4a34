"""Roll up township 政府信息公开情况统计表 forms to district and city totals
with python-calamine (reading) + polars (long table and sums).

A benchmark peer of gongkai: the script an analyst would write instead of
gongkai for the same rollup (no checks, no reports, only the totals).

    python calamine_polars.py YEAR_DIR --template lps2018.toml --out RESULT.csv [--jobs N]

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

import polars as pl
from python_calamine import CalamineWorkbook

NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def norm(text):
    """NFKC, then no whitespace at all (full-width spaces included)."""
    return re.sub(r"\s+", "", normalize("NFKC", str(text)))


def parse_value(cell):
    """A number as is, "33条" or "1,234" as its number, blank as None."""
    if isinstance(cell, (int, float)):
        return float(cell)
    match = NUMBER.search(norm(cell).replace(",", ""))
    return float(match.group()) if match else None


def read_form(path, codes_by_label):
    """[(district, township, code, value)] for one file, or [] if no form."""
    workbook = CalamineWorkbook.from_path(str(path))
    for index in range(len(workbook.sheet_names)):
        rows = workbook.get_sheet_by_index(index).to_python()
        header = next(((i, row.index(cell)) for i, row in enumerate(rows)
                       for cell in row if isinstance(cell, str) and norm(cell) == "统计数"),
                      None)
        if header is None:
            continue
        header_row, value_col = header
        # Labels repeat ((二)被依法纠错数 is R63 and R67): the n-th row with
        # a label is the n-th template row with it.
        left = {label: list(codes) for label, codes in codes_by_label.items()}
        records = []
        for row in rows[header_row + 1 :]:
            label = next((norm(c) for c in row[:value_col] if isinstance(c, str) and norm(c)), None)
            if left.get(label):
                value = parse_value(row[value_col]) if value_col < len(row) else None
                records.append((path.parent.name, path.stem, left[label].pop(0), value))
        return records
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
    long = pl.DataFrame([r for records in per_file for r in records], orient="row",
                        schema={"district": pl.String, "township": pl.String,
                                "code": pl.String, "value": pl.Float64})

    # Sum what was reported; a row nobody reported stays out (not 0).
    reported = long.filter(pl.col("code").is_in(summed) & pl.col("value").is_not_null())
    district = (reported.group_by("district", "code").agg(pl.col("value").sum())
                .select(pl.lit("district").alias("level"), pl.col("district").alias("name"),
                        "code", "value"))
    city = (reported.group_by("code").agg(pl.col("value").sum())
            .select(pl.lit("city").alias("level"), pl.lit(args.city).alias("name"),
                    "code", "value"))
    pl.concat([district, city]).sort("level", "name", "code").write_csv(args.out)

    print(f"{Path(__file__).stem}: {forms} forms, {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
