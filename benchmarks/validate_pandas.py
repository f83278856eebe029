"""The pandas side of benchmarks/validate-vs-pandas.sh: load the CSV and do the suite's 10 checks as GX does them on
pandas (nulls are not considered by the map checks; the regex may match anywhere; quantiles by 'nearest').

Usage: validate_pandas.py FILE [--usecols] -> one JSON line with the seconds (perf_counter from before read_csv to the
last check) and every count. With --usecols, read_csv reads only the checked columns (plus the header for the column
set), as our CsvDataSource does.
"""
import json
import sys
import time

import pandas as pd

path = sys.argv[1]
usecols = ["id", "age", "amount", "score", "category", "code", "price"] if "--usecols" in sys.argv else None
start = time.perf_counter()
df = pd.read_csv(path, usecols=usecols)
columns = list(pd.read_csv(path, nrows=0).columns) if usecols else list(df.columns)
amount, age, price, category, ids, code, score = (df[c] for c in ("amount", "age", "price", "category", "id", "code", "score"))
result = {
    "amount_null": int(amount.isna().sum()),
    "age_out_of_range": int((age.notna() & ~age.between(18, 90)).sum()),
    "price_out_of_range": int((price.notna() & ~price.between(0, 1000)).sum()),
    "category_not_in_set": int((category.notna() & ~category.isin(["A", "B", "C", "D", "E"])).sum()),
    "id_duplicates": int(ids[ids.notna()].duplicated(keep=False).sum()),
    "code_malformed": int((code.notna() & ~code.str.contains(r"^[A-Z]{3}-\d{4}$", regex=True, na=False)).sum()),
    "amount_mean": float(amount.mean()),
    "score_quantiles": [float(q) for q in score.quantile([0.25, 0.5, 0.75], interpolation="nearest")],
    "row_count": int(len(df)),
    "columns": columns,
}
result["seconds"] = time.perf_counter() - start
print(json.dumps(result))
