"""Computes scipy 1.10's answers for the cases the C# tests generated.

Usage: scipy_stats.py CASES.json -> JSON on stdout: {"scipy": version, "results": [...]}, one result per case, each a
list of numbers (non-finite numbers as the strings "NaN", "Infinity", "-Infinity").
"""
import json
import math
import sys

import numpy as np
import pandas as pd
import scipy
from scipy import special, stats
from scipy.spatial import distance


def number(x):
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def evidently_drift(case):
    """Evidently's default drift test (and the named ones) on two columns, written with scipy as Evidently does."""
    ref = np.asarray(case["reference"], dtype=object if case["kind"] == "cat" else float)
    cur = np.asarray(case["current"], dtype=object if case["kind"] == "cat" else float)
    method = case["method"]
    ref_s, cur_s = pd.Series(ref), pd.Series(cur)
    keys = list(set(ref_s.unique()) | set(cur_s.unique()))
    ref_counts = ref_s.value_counts()
    cur_counts = cur_s.value_counts()

    def counts(series_counts):
        return np.array([float(series_counts.get(k, 0)) for k in keys])

    def binned(fill):
        if case["kind"] == "num" and ref_s.nunique() > 20:
            bins = np.histogram_bin_edges(pd.concat([ref_s, cur_s], axis=0).values, bins="sturges")
            r = np.histogram(ref_s, bins)[0] / len(ref_s)
            c = np.histogram(cur_s, bins)[0] / len(cur_s)
        else:
            r = counts(ref_counts) / len(ref_s)
            c = counts(cur_counts) / len(cur_s)
        if fill:
            for a in (r, c):
                m = min(a[a != 0])
                np.place(a, a == 0, m / 10**6 if m <= 0.0001 else 0.0001)
        return r, c

    if method == "ks":
        res = stats.ks_2samp(ref, cur)
        return [res.statistic, res.pvalue]
    if method == "wasserstein":
        v = stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)
        return [v, v]
    if method == "chisquare":
        k_norm = len(cur_s) / len(ref_s)
        res = stats.chisquare(counts(cur_counts), counts(ref_counts) * k_norm)
        return [res.statistic, res.pvalue]
    if method == "z":
        if ref_s.nunique() == 1 and cur_s.nunique() == 1 and ref_s.unique()[0] == cur_s.unique()[0]:
            return [0.0, 1.0]
        key = sorted(keys)[0]
        r = ref_s.apply(lambda x: 0 if x == key else 1)
        c = cur_s.apply(lambda x: 0 if x == key else 1)
        n1, n2 = len(r), len(c)
        p1, p2 = float(sum(r)) / n1, float(sum(c)) / n2
        P = float(p1 * n1 + p2 * n2) / (n1 + n2)
        z = (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
        return [z, 2 * (1 - stats.norm.cdf(np.abs(z)))]
    if method == "jensenshannon":
        r, c = binned(False)
        v = distance.jensenshannon(r, c, 2)
        return [v, v]
    if method == "psi":
        r, c = binned(True)
        v = sum((r[i] - c[i]) * np.log(r[i] / c[i]) for i in range(len(r)))
        return [v, v]
    if method == "kl_div":
        r, c = binned(True)
        v = stats.entropy(r, c)
        return [v, v]
    raise ValueError(method)


def compute(case):
    kind = case["kind"]
    if kind == "kstwo_sf":
        return [stats.kstwo.sf(case["d"], case["n"])]
    if kind == "smirnov":
        return [special.smirnov(case["n"], case["d"])]
    if kind == "ks_2samp":
        res = stats.ks_2samp(case["a"], case["b"])
        return [res.statistic, res.pvalue]
    if kind == "kstest":
        res = stats.kstest(case["x"], case["distribution"], args=tuple(case["args"]))
        return [res.statistic, res.pvalue]
    if kind == "chisquare":
        res = stats.chisquare(case["observed"], case["expected"])
        return [res.statistic, res.pvalue]
    if kind == "jensenshannon":
        return [distance.jensenshannon(case["p"], case["q"], case.get("base"))]
    if kind == "wasserstein":
        return [stats.wasserstein_distance(case["u"], case["v"])]
    if kind == "entropy":
        return [stats.entropy(case["p"], case["q"])]
    if kind == "special":
        a = case["args"]
        f = case["function"]
        if f == "gammainc":
            return [special.gammainc(a[0], a[1])]
        if f == "gammaincc":
            return [special.gammaincc(a[0], a[1])]
        if f == "betainc":
            return [special.betainc(a[0], a[1], a[2])]
        if f == "ndtr":
            return [special.ndtr(a[0])]
        if f == "erfc":
            return [special.erfc(a[0])]
        if f == "gammaln":
            return [special.gammaln(a[0])]
        if f == "chi2_sf":
            return [stats.chi2.sf(a[0], a[1])]
        raise ValueError(f)
    if kind == "cdf":
        dist = getattr(stats, case["distribution"])
        return [dist.cdf(x, *case["args"]) for x in case["x"]]
    if kind in ("num", "cat"):
        return evidently_drift(case)
    raise ValueError(kind)


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    print(json.dumps({"scipy": scipy.__version__, "results": [[number(v) for v in compute(c)] for c in cases]}))
