"""Computes, with pandas, the same checks the differential test runs with Mlops.Testing.

Usage: python3 pandas_checks.py DATA.csv  -> prints a JSON object of counts, indexes and statistics.
Reads the CSV as Mlops.Testing does: only an empty field is missing.
"""
import json
import sys

import pandas as pd


def first(mask):
    return [int(i) for i in df.index[mask][:20]]


df = pd.read_csv(sys.argv[1], keep_default_na=False, na_values=[""])
amount = df["amount"]
present = amount.notna()
out_of_range = present & ~amount.between(0, 100)
category = df["category"]
bad_category = category.notna() & ~category.isin(["A", "B", "C"])
code = df["code"]
bad_code = code.notna() & ~code.astype(str).str.contains(r"^[A-Z]{3}-\d{4}$", regex=True)
name_length = df["name"].str.len()
bad_name = df["name"].notna() & ~name_length.between(2, 12)
duplicate_id = df["id"].notna() & df["id"].duplicated(keep=False)
pair_considered = ~(df["a"].isna() & df["b"].isna())
pair_bad = pair_considered & ~(df["a"] > df["b"])
compound_considered = ~(df["id"].isna() & df["category"].isna())
compound_bad = compound_considered & df[["id", "category"]].duplicated(keep=False)
values = amount.dropna()

result = {
    "row_count": len(df),
    "columns": list(df.columns),
    "amount_missing": int(amount.isna().sum()),
    "amount_missing_index": first(amount.isna()),
    "amount_out_of_range": int(out_of_range.sum()),
    "amount_out_of_range_index": first(out_of_range),
    "category_missing": int(category.isna().sum()),
    "category_not_in_set": int(bad_category.sum()),
    "category_not_in_set_index": first(bad_category),
    "code_malformed": int(bad_code.sum()),
    "code_malformed_index": first(bad_code),
    "name_length_outside": int(bad_name.sum()),
    "name_length_outside_index": first(bad_name),
    "id_duplicates": int(duplicate_id.sum()),
    "id_duplicates_index": first(duplicate_id),
    "pair_ignored": int((~pair_considered).sum()),
    "pair_not_greater": int(pair_bad.sum()),
    "pair_not_greater_index": first(pair_bad),
    "compound_duplicates": int(compound_bad.sum()),
    "compound_duplicates_index": first(compound_bad),
    "when_missing": int(df["when"].isna().sum()),
    "amount_min": float(values.min()),
    "amount_max": float(values.max()),
    "amount_mean": float(values.mean()),
    "amount_median": float(values.median()),
    "amount_std": float(values.std()),
    "amount_sum": float(values.sum()),
    "amount_quantiles": [float(q) for q in values.quantile([0.1, 0.25, 0.5, 0.9], interpolation="nearest")],
    "category_unique": int(category.nunique()),
    "category_proportion_unique": float(category.nunique() / category.notna().sum()),
    "category_mode": sorted(category.mode().tolist()),
    "category_distinct": sorted(category.dropna().unique().tolist()),
}
print(json.dumps(result))
