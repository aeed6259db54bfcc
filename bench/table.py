"""Render bench/out/results.json as the Markdown tables run.py prints and bench/README.md quotes.

A run killed at the timeout gives only a bound ("> 120 s", "< 0.2 MB/s"); a verdict is ✗ when the
bound already misses the target and "?" when it cannot tell.

    python bench/table.py [bench/out/results.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SUPERLINEAR = 1.3  # the second step's cost per MB over the first's that counts as super-linear
FLAT = 1.2         # peak RSS of the whole corpus over a quarter of it that still counts as flat
BUSY = 0.25        # load average per CPU above which wall times are flagged as disturbed


def bounded(value: float, bound: str) -> str:
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    return f"{bound} {text}" if bound else text


def times(value: float, bound: str) -> str:
    return "unknown (both runs killed)" if bound == "?" else f"{bounded(value, bound)}x"


def verdict(value: float, bound: str, op: str, target: float) -> str:
    """✓ / ✗ / ? for `value op target`, where bound "<" or ">" says the true value lies beyond `value`."""
    if bound == "?":
        return "?"
    meets = value >= target if op == ">=" else value <= target
    toward_target = bound == (">" if op == ">=" else "<")
    if not bound or meets == toward_target:
        return "✓" if meets else "✗"
    return "?"


def seconds(run: dict) -> tuple[float, str]:
    """Wall time and its bound: a run that timed out took at least this long."""
    return run["seconds"], (">" if run["timed_out"] else "")


def flip(bound: str) -> str:
    return {"<": ">", ">": "<", "": ""}[bound]


def ratio(num: dict, den: dict, key: str = "seconds") -> tuple[float, str]:
    """num / den for two runs' wall (or CPU) times, with the bound that timeouts leave on it."""
    ba, bb = seconds(num)[1], seconds(den)[1]
    bound = "?" if ba and bb else ba or flip(bb)
    return num[key] / den[key], bound


def by_cpu(num: dict, den: dict) -> str:
    return f" ({times(*ratio(num, den, 'cpu_seconds'))} by CPU time)"


def rate(run: dict, mb: float) -> str:
    t, bound = seconds(run)
    cpu = run["cpu_seconds"]
    return (f"{bounded(mb / t, flip(bound))} MB/s ({bounded(t, bound)} s wall; {bounded(cpu, bound)} s CPU, "
            f"{bounded(mb / cpu, flip(bound))} MB per CPU-second)")


def rss(run: dict) -> tuple[float, str]:
    """Peak RSS and its bound: a killed run might have grown further."""
    return run["rss_mb"], (">" if run["timed_out"] else "")


def rss_text(run: dict) -> str:
    value, bound = rss(run)
    return f"{bounded(value, bound)} MB" + (" (killed at the timeout)" if bound else "")


def found(run: dict, what: str = "findings") -> str:
    return "killed at the timeout" if run["timed_out"] else f"{run['lines']:,} {what}".strip()


def linear_rows(series: list[dict]) -> tuple[list[str], str, str]:
    """Detail rows, a summary of the costs per MB, and a verdict.

    The cost of each step is its marginal CPU time per MB, (cpu[i] - cpu[i-1]) / (mb[i] - mb[i-1]): start-up
    cancels out, and CPU time is steadier than wall time on a shared machine. Linear time means the
    second step costs no more per MB than the first.
    """
    rows, costs = [], []
    previous = None
    for s in series:
        if "skipped" in s:
            rows.append(f"| {s['input']} | {s['mb']:.1f} | skipped: {s['skipped']} | | | | |")
            continue
        t, bound = seconds(s)
        cost = ""
        if previous:
            step = 1000 * (s["cpu_seconds"] - previous["cpu_seconds"]) / (s["mb"] - previous["mb"])
            costs.append((step, bound))
            cost = bounded(step, bound)
        rows.append(f"| {s['input']} | {s['mb']:.1f} | {bounded(t, bound)} | {bounded(s['cpu_seconds'], bound)} "
                    f"| {cost} | {bounded(*rss(s))} | {found(s, '')} |")
        previous = s
    if len(costs) < 2 or costs[0][1]:
        summary = "".join(f"{bounded(c, b)} CPU ms per MB, " for c, b in costs)
        return rows, f"{summary}too few sizes finished", "?"
    growth = costs[1][0] / costs[0][0] if costs[0][0] > 0 else float("inf")
    word = "super-linear" if growth > SUPERLINEAR else "linear"
    summary = f"{bounded(*costs[0])} then {bounded(*costs[1])} CPU ms per MB: {growth:.2f}x, {word}"
    return rows, summary, verdict(growth, costs[1][1], "<=", SUPERLINEAR)


def render(r: dict) -> str:
    env, mb, files = r["environment"], r["corpus_mb"], r["corpus_files"]
    j1, quarter = r["corpus_jobs1"], r["quarter_jobs1"]
    big = r["linear_big"][0]
    t1, b1 = seconds(j1)
    cold = r["cold_ms"]
    jobs = " `--jobs 1`" if r["has_jobs"] else ""
    rows = [
        ("one ~5 KB Markdown file, cold (median)",
         f"{cold['median']:.0f} ms (min {cold['min']:.0f}, CPU {cold['cpu']:.0f}; {cold['runs']} runs, "
         f"{cold['file_bytes']:,} bytes)", "≤ 80 ms",
         verdict(cold["median"], "", "<=", 80)),
        *([("the same page in a configured repository, as the hook runs it (`--force-exclude`, a "
            "`.healthlint.yaml` with excludes)",
            f"{r['cold_configured_ms']['median']:.0f} ms (min {r['cold_configured_ms']['min']:.0f}, CPU "
            f"{r['cold_configured_ms']['cpu']:.0f})", "≤ 80 ms",
            verdict(r["cold_configured_ms"]["median"], "", "<=", 80))] if "cold_configured_ms" in r else []),
        (f"corpus, one process{jobs}",
         f"{rate(j1, mb)}, {bounded(files / t1, flip(b1))} files/s; {found(j1)}",
         "≥ 10 MB/s", verdict(mb / t1, flip(b1), ">=", 10)),
        (f"a quarter of the corpus{jobs}", rate(quarter, quarter["mb"]), "", ""),
    ]
    if "corpus_jobs2" in r:
        speedup, bound = ratio(j1, r["corpus_jobs2"])
        rows.append(("corpus, `--jobs 2`", f"{rate(r['corpus_jobs2'], mb)}; speed-up {times(speedup, bound)}",
                     "≥ 1.8x", verdict(speedup, bound, ">=", 1.8)))
    else:
        rows.append(("corpus, `--jobs 2`", "not measured: `healthlint check` has no `--jobs`", "≥ 1.8x", "?"))
    if "corpus_rerun" in r:
        rows.append((f"corpus again, results cache warm{jobs}", rate(r["corpus_rerun"], mb), "", ""))
    growth = j1["rss_mb"] / quarter["rss_mb"]
    flat_bound = "?" if quarter["timed_out"] else ">" if j1["timed_out"] else ""
    line = [s for s in r["linear_line"] if "rss_mb" in s][-1]
    rows += [
        ("peak RSS, corpus", rss_text(j1), "< 150 MB", verdict(*rss(j1), "<=", 150)),
        ("peak RSS, ¼ corpus → corpus", f"{quarter['rss_mb']:.0f} → {j1['rss_mb']:.0f} MB ({growth:.2f}x)",
         f"flat (≤ {FLAT}x)", verdict(growth, flat_bound, "<=", FLAT)),
        (f"peak RSS, big.md ({big['mb']:.0f} MB, one file)", rss_text(big), "", ""),
        (f"peak RSS, long line ({line['mb']:.1f} MB, the largest run)", rss_text(line), "", ""),
    ]
    if "healthlint_sample" in r:  # proselint on every n-th page, and healthlint on the same pages
        sample, sample_mb = r["healthlint_sample"], r["sample_mb"]
        faster, bound = ratio(r["proselint"], sample)
        rows.append((f"proselint (cap lifted), a sample: every n-th page, {r['sample_files']} files, "
                     f"{sample_mb:.2f} MB",
                     f"{rate(r['proselint'], sample_mb)}; {found(r['proselint'])}; healthlint on the same files "
                     f"{rate(sample, sample_mb)}: {times(faster, bound)} faster{by_cpu(r['proselint'], sample)}",
                     "≥ 20x faster", verdict(faster, bound, ">=", 20)))
    else:  # results.json of an older run.py: proselint over the whole corpus
        faster, bound = ratio(r["proselint"], j1)
        rows.append(("proselint, same files (cap lifted)",
                     f"{rate(r['proselint'], mb)}; {found(r['proselint'])}; healthlint "
                     f"{times(faster, bound)} faster{by_cpu(r['proselint'], j1)}",
                     "≥ 20x faster", verdict(faster, bound, ">=", 20)))
    slower, bound = ratio(j1, r["grep"])
    rows.append(("`grep -F -i -w -f phrases`, same files, LC_ALL=C",
                 f"{rate(r['grep'], mb)}; {found(r['grep'], 'lines')}; healthlint takes "
                 f"{times(slower, bound)} grep's time{by_cpu(j1, r['grep'])}",
                 "≤ 10x", verdict(slower, bound, "<=", 10)))
    big_rows, big_summary, big_ok = linear_rows(r["linear_big"])
    line_rows, line_summary, line_ok = linear_rows(r["linear_line"])
    rows += [("linear time, big.md x1 / x2 / x4", big_summary, "linear", big_ok),
             ("linear time, long line at 3 sizes", line_summary, "linear", line_ok)]

    out = [f"Measured {env['date']} on {env['nproc']} CPUs ({env['cpu']}), Python {env['python']}, "
           f"healthlint working tree at HEAD {env['healthlint_head']} (`{env.get('healthlint_path', 'healthlint')}`), "
           f"{r['mode']} mode: {files:,} files, "
           f"{mb:.1f} MB; "
           f"load average {env['load_before']:.2f} before the run, {r['load_after']:.2f} after; "
           f"{r['elapsed_s']:.0f} s in all.", "",
           "| measurement | result | target | |", "|---|---|---|---|"]
    out += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    out += ["", "Linear time (CPU ms per MB: the extra CPU time over the size before, per extra MB):", "",
            "| input | MB | wall s | CPU s | CPU ms per MB | peak RSS MB | findings |", "|---|---|---|---|---|---|---|"]
    out += big_rows + line_rows
    notes = [f"grep phrases: {r['grep_phrases']}.",
             f"proselint one ~5 KB file, cold: {r['proselint_cold_ms']:.0f} ms.",
             f"Runs are killed after {r['timeout_s']:.0f} s; `>`/`<` mark the bounds a killed run leaves."]
    load = max(env["load_before"], r["load_after"])
    if load > BUSY * env["nproc"]:
        notes.append(f"**The machine was busy (load average up to {load:.1f} on {env['nproc']} CPUs): wall times "
                     "include waiting for a CPU, so compare CPU times, and `--jobs 2` has no idle core to use.**")
    for name in ("corpus_jobs1", "quarter_jobs1", "corpus_jobs2", "proselint", "healthlint_sample", "grep"):
        if r.get(name, {}).get("error"):
            notes.append(f"**{name} failed (exit {r[name]['returncode']}), so its numbers measure a failure:** "
                         f"`{r[name]['error'].splitlines()[-1]}`")
    return "\n".join(out + [""] + [f"- {n}" for n in notes])


if __name__ == "__main__":
    print(render(json.loads(Path(sys.argv[1] if len(sys.argv) > 1 else "bench/out/results.json").read_text())))
