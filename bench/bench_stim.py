"""Benchmark: STIM indicators + near-duplicate linking + cases on 1M synthetic adverts.

The generator's large set holds tens of thousands of partner accounts, far from a million
adverts, so this bench makes its own partner data: ``--accounts`` accounts posting four
adverts each on average; a tenth of them run in cases of 2-8 accounts by one controller
(one advert template per controller, a shared phone or payer token), the rest independent
(their own template), plus stock text many accounts share. Slots (name, age, city, phone)
vary per advert, some phones are obscured with words.

It runs the STIM core (:func:`toex.assess.stim.compute.compute_stim`) twice in one process:
with MinHash LSH template linking, then with exact-text linking, and reports time, peak RSS
and the cases each finds against the planted truth (pairwise precision and recall of
accounts in the same case). Writes the "STIM" section of ``docs/benchmarks.md``.

    .venv/bin/python bench/bench_stim.py            # 1M adverts
    .venv/bin/python bench/bench_stim.py --adverts 20000 --no-write
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import sys
import time
from pathlib import Path

import pandas as pd

try:  # run as ``python -m bench.NAME`` (the Makefile) or as ``python bench/NAME.py``
    from bench.doc_section import replace_section
except ModuleNotFoundError:
    from doc_section import replace_section  # type: ignore[no-redef]
from toex.assess.stim.compute import StimResult, compute_stim
from toex.assess.stim.indicators import load_indicators
from toex.assess.stim.minhash import LshParams, permutations
from toex.assess.stim.partner_data import PartnerData
from toex.assess.stim.phones import normalise_phone

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## STIM"
VOCAB = [
    f"{a}{b}"
    for a in (
        "ka",
        "lo",
        "mi",
        "ne",
        "ra",
        "su",
        "ti",
        "vo",
        "ze",
        "pa",
        "do",
        "fe",
        "gu",
        "ha",
        "ji",
    )
    for b in (
        "ren",
        "tas",
        "mol",
        "bik",
        "san",
        "dor",
        "lin",
        "pex",
        "quo",
        "wat",
        "yel",
        "zim",
        "cor",
        "fal",
        "gon",
        "hup",
        "jex",
        "kal",
        "mun",
        "nop",
    )
]
NAMES = ["Anna", "Bella", "Cara", "Daria", "Elena", "Fifi", "Gina", "Ioana", "Lara", "Mia"]
CITIES = ["London", "Leeds", "Norwich", "Preston", "Derby", "Bristol", "Luton", "Hull"]
REGIONS = ["London", "Yorkshire", "East", "North West", "East Midlands", "South West"]
STOCK = (
    "genuine photos discreet and friendly available now call or text no withheld "
    "numbers please be respectful"
)


def _phone(n: int) -> str:
    digits = f"{n:09d}"
    return f"07{digits[:3]} {digits[3:]}"


def _obscure(phone: str) -> str:
    words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    return phone[:2] + words[int(phone[2])] + phone[3:]


def make_data(n_adverts: int, seed: int = 7) -> tuple[PartnerData, dict[str, str]]:
    """Partner data with about ``n_adverts`` adverts and the true case of each account."""
    rng = random.Random(seed)
    n_accounts = max(10, n_adverts // 4)
    truth: dict[str, str] = {}
    templates: list[str] = []
    acc_rows: list[tuple[object, ...]] = []
    adv_rows: list[tuple[object, ...]] = []
    pay_rows: list[tuple[object, ...]] = []
    in_case = int(n_accounts * 0.1)
    i = 0
    case_no = 0
    while i < n_accounts:
        size = rng.randint(2, 8) if i < in_case else 1
        size = min(size, n_accounts - i)
        case_no += 1
        template = " ".join(rng.choices(VOCAB, k=22))
        # A case shares a phone, a payer token, or (one in three) only its template.
        mode = case_no % 3
        shared_phone = 7_000_000 + case_no if size > 1 and mode == 1 else None
        shared_token = f"tok{case_no}" if size > 1 and mode == 2 else None
        for _ in range(size):
            acc = f"A{i:07d}"
            truth[acc] = f"C{case_no}"
            own = 1_000_000 + i
            phone = shared_phone or own
            acc_rows.append((acc, "bench", _phone(own), REGIONS[i % len(REGIONS)]))
            text_base = STOCK if size == 1 and rng.random() < 0.02 else template
            for k in range(max(1, int(rng.expovariate(0.25)) + 1)):
                p = _phone(phone)
                if rng.random() < 0.15:
                    p = _obscure(p)
                text = (
                    f"{rng.choice(NAMES)} {rng.randint(19, 40)} in {rng.choice(CITIES)} "
                    f"{text_base} call {p}"
                )
                adv_rows.append(
                    (
                        f"V{len(adv_rows):08d}",
                        acc,
                        "bench",
                        f"2024-{1 + k % 12:02d}-01",
                        REGIONS[(i + (k if size > 1 else 0)) % len(REGIONS)],
                        text,
                        p,
                    )
                )
                if len(adv_rows) >= n_adverts and i >= in_case:
                    break
            pay_rows.append(
                (
                    f"P{i:07d}",
                    acc,
                    "bench",
                    "2024-01-01",
                    20.0,
                    "Mr X Payer" if shared_token else "Ms Y Holder",
                    shared_token or f"own{i}",
                    "Mr" if shared_token else "Ms",
                )
            )
            i += 1
        templates.append(template)
    accounts = pd.DataFrame(acc_rows, columns=["account_id", "partner", "phone_raw", "home_region"])
    accounts["email"] = [f"user{n}@example.com" for n in range(len(accounts))]
    adverts = pd.DataFrame(
        adv_rows,
        columns=["advert_id", "account_id", "partner", "posted", "region", "text", "phone_raw"],
    )
    payments = pd.DataFrame(
        pay_rows,
        columns=[
            "payment_id",
            "account_id",
            "partner",
            "paid",
            "amount",
            "payer_name",
            "payer_token",
            "payer_title",
        ],
    )
    calls = pd.DataFrame(
        {
            "call_id": [f"K{n}" for n in range(0, len(accounts), 9)],
            "account_id": accounts["account_id"].iloc[::9].to_numpy(),
            "partner": "bench",
            "call_date": "2024-02-01",
            "avoided_call": "yes",
        }
    )
    return PartnerData(accounts, adverts, payments, calls), truth


def pairwise(result: StimResult, truth: dict[str, str]) -> tuple[float, float, int]:
    """(precision, recall, multi-account cases) of predicted cases against the truth."""
    pred = result.entity.set_index("account_id")["case_id"]
    true = pd.Series(truth).reindex(pred.index)

    def pairs(labels: pd.Series) -> int:
        sizes = labels.value_counts()
        return int((sizes * (sizes - 1) // 2).sum())

    both = pairs(pred.astype(str) + "|" + true.astype(str))
    p_pairs, t_pairs = pairs(pred), pairs(true)
    multi = int((pred.value_counts() > 1).sum())
    return (both / p_pairs if p_pairs else 1.0, both / t_pairs if t_pairs else 1.0, multi)


def true_cases_found(result: StimResult, truth: dict[str, str]) -> tuple[int, int]:
    """(true multi-account cases whose accounts all fall in one predicted case, true
    multi-account cases)."""
    pred = result.entity.set_index("account_id")["case_id"]
    frame = pd.DataFrame({"true": pd.Series(truth)})
    frame["pred"] = pred.reindex(frame.index)
    per_case = frame.groupby("true").agg(n=("pred", "size"), distinct=("pred", "nunique"))
    multi = per_case[per_case["n"] > 1]
    return int((multi["distinct"] == 1).sum()), len(multi)


def peak_rss_gb() -> float:
    """Peak resident set size of this process so far, in GiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def machine() -> str:
    """CPU model, cores available to this process and memory, from /proc."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        mem = f"{mem_kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        mem = "RAM unknown"
    cores = len(os.sched_getaffinity(0))
    return f"{model}, {cores} cores available, {mem}, Python {platform.python_version()}"


def _load() -> str:
    return " / ".join(f"{v:.2f}" for v in os.getloadavg())


def run(n_adverts: int) -> dict[str, object]:
    """Generate, then time the STIM core with LSH and with exact-text linking."""
    load_before = _load()
    t0 = time.perf_counter()
    data, truth = make_data(n_adverts)
    gen_s = time.perf_counter() - t0
    out: dict[str, object] = {
        "adverts": len(data.adverts),
        "accounts": len(data.accounts),
        "true_cases": len(set(truth.values())),
        "generate_s": gen_s,
        "load_before": load_before,
    }
    config = load_indicators()
    config = config.model_copy(
        update={"linking": config.linking.model_copy(update={"template": True})}
    )
    # Import-time costs (datasketch pulls in SciPy) are not part of either run.
    LshParams(num_perm=config.linking.minhash_num_perm).bands  # noqa: B018
    permutations(config.linking.minhash_num_perm, config.linking.minhash_seed)
    for mode in ("lsh", "exact"):
        normalise_phone.cache_clear()  # each run parses its phones from scratch
        t0 = time.perf_counter()
        result = compute_stim(data, config, exact_templates=(mode == "exact"))
        secs = time.perf_counter() - t0
        precision, recall, multi = pairwise(result, truth)
        found, true_multi = true_cases_found(result, truth)
        template_links = int((result.case_link["kind"] == "template").sum())
        out[mode] = {
            "seconds": secs,
            "timings": dict(result.timings),
            "precision": precision,
            "recall": recall,
            "multi_account_cases": multi,
            "true_cases_found": found,
            "true_multi_cases": true_multi,
            "template_links": template_links,
            "high_risk_cases": int((result.case["risk_level"] == "high").sum()),
        }
        del result
        out[f"peak_rss_after_{mode}_gb"] = peak_rss_gb()
        print(mode, out[mode], f"peak RSS {peak_rss_gb():.2f} GiB", flush=True)
    out["load_after"] = _load()
    return out


STEP_LABELS = {
    "keys": "linking keys (phones to E.164, emails, payers), hubs",
    "indicators": "the 13 indicators",
    "key_links": "key-sharing links",
    "template_links": "advert-template links (MinHash LSH / exact text)",
    "cases": "entities, cases (components), members",
    "text_signals": "text signals",
}


def section(res: dict[str, object], command: str) -> str:
    """The markdown STIM section."""
    lsh, exact = res["lsh"], res["exact"]
    assert isinstance(lsh, dict) and isinstance(exact, dict)
    steps = list(lsh["timings"])
    ratio = (
        lsh["true_cases_found"] / exact["true_cases_found"]
        if exact["true_cases_found"]
        else float("inf")
    )
    lines = [
        SECTION,
        "",
        f"Command: `{command}` (one process, niced; both runs on the same generated data).",
        "",
        f"Machine: {machine()}; shared with other work: load average (1 / 5 / 15 min) "
        f"{res['load_before']} before, {res['load_after']} after.",
        "",
        f"Data: {res['adverts']:,} synthetic adverts on {res['accounts']:,} accounts, "
        f"{res['true_cases']:,} true cases (one template per controller; a third of cases share "
        "nothing else, the rest a phone or a payer token), generated in the bench in "
        f"{float(str(res['generate_s'])):.0f} s. Target: indicators + near-duplicate linking + "
        "cases <= 5 min, peak RSS <= 6 GB.",
        "",
        "| step | LSH run (s) | exact-text run (s) |",
        "|---|---|---|",
        *(
            f"| {STEP_LABELS.get(k, k)} | {lsh['timings'][k]:.1f} | "
            f"{exact['timings'].get(k, 0.0):.1f} |"
            for k in steps
        ),
        f"| **total** | **{lsh['seconds']:.0f}** | **{exact['seconds']:.0f}** |",
        "",
        "| linking | true multi-account cases found whole | multi-account cases "
        "| template links | pairwise precision | pairwise recall |",
        "|---|---|---|---|---|---|",
        f"| MinHash LSH (64 perms, word 3-shingles of slot-masked text, J >= 0.5) | "
        f"{lsh['true_cases_found']:,} of {lsh['true_multi_cases']:,} | "
        f"{lsh['multi_account_cases']:,} | {lsh['template_links']:,} | "
        f"{lsh['precision']:.3f} | {lsh['recall']:.3f} |",
        f"| exact text | {exact['true_cases_found']:,} of {exact['true_multi_cases']:,} | "
        f"{exact['multi_account_cases']:,} | {exact['template_links']:,} | "
        f"{exact['precision']:.3f} | {exact['recall']:.3f} |",
        "",
        f"LSH / exact-text ratio of true cases found: **{ratio:.2f}**.",
        "",
        f"Peak RSS: {float(str(res['peak_rss_after_lsh_gb'])):.2f} GiB after the LSH run, "
        f"{float(str(res['peak_rss_after_exact_gb'])):.2f} GiB at the end (whole process, "
        "generation included). Exact-text linking cannot join adverts whose slots (name, age, "
        "city, phone) differ, so it finds only the cases that also share a phone or payer; "
        "near-duplicate linking finds the template-only cases too.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Command-line entry."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adverts", type=int, default=1_000_000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    res = run(args.adverts)
    command = "nice -n 5 .venv/bin/python bench/bench_stim.py" + (
        f" --adverts {args.adverts}" if args.adverts != 1_000_000 else ""
    )
    text = section(res, command)
    print(text)
    if not args.no_write:
        replace_section(text)


if __name__ == "__main__":
    main()
    sys.exit(0)
