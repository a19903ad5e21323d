"""Scores for `lbie eval understanding`: micro/macro F1 (paper's 9 labels and all labels),
per-label F1 and local/global accuracy on correctly predicted ops."""

from __future__ import annotations

import numpy as np

from lbie_desktop.understanding.labels import to_paper_labels


def to_sets(p: np.ndarray, ops: tuple[str, ...], th: dict[str, float]) -> list[set[str]]:
    return [{op for j, op in enumerate(ops) if row[j] > th.get(op, 0.5)} for row in p]


def micro_macro(true: list[set[str]], pred: list[set[str]], labels: tuple[str, ...] | list[str],
                paper: bool = False) -> tuple[float, float, dict[str, float]]:
    if paper:
        true = [to_paper_labels(t) for t in true]
        pred = [to_paper_labels(p) for p in pred]
    tp_all = fp_all = fn_all = 0
    per: dict[str, float] = {}
    for lab in labels:
        tp = sum(1 for t, p in zip(true, pred) if lab in t and lab in p)
        fp = sum(1 for t, p in zip(true, pred) if lab not in t and lab in p)
        fn = sum(1 for t, p in zip(true, pred) if lab in t and lab not in p)
        per[lab] = 2 * tp / max(1, 2 * tp + fp + fn)
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
    micro = 2 * tp_all / max(1, 2 * tp_all + fp_all + fn_all)
    return micro, float(np.mean(list(per.values()))) if per else 0.0, per


def _locality(examples, decisions: list[dict[str, bool]]) -> tuple[float, int]:
    right = total = 0
    for e, dec in zip(examples, decisions):
        for op, loc in dec.items():
            if op in e.ops:
                total += 1
                right += int(loc == e.ops[op])
    return right / max(1, total), total


def _scores(examples, decisions: list[dict[str, bool]]) -> dict:
    from lbie_desktop.understanding.labels import MODEL_OPS, PAPER_LABELS

    true = [set(e.ops) for e in examples]
    pred = [set(d) for d in decisions]
    m9, M9, per9 = micro_macro(true, pred, PAPER_LABELS, paper=True)
    mall, Mall, perall = micro_macro(true, pred, MODEL_OPS)
    acc, n = _locality(examples, decisions)
    return {"micro_f1_9": round(m9, 4), "macro_f1_9": round(M9, 4),
            "micro_f1_all": round(mall, 4), "macro_f1_all": round(Mall, 4),
            "per_label_f1_9": {k: round(v, 4) for k, v in per9.items()},
            "per_label_f1_all": {k: round(v, 4) for k, v in perall.items()},
            "local_global_accuracy": round(acc, 4), "local_global_counted": n}


def evaluate_split(data, split: str) -> dict:
    """Score the classifier alone and the shipped decision (classifier + words) on a split."""
    import time

    from lbie_desktop.errors import MissingModelError
    from lbie_desktop.understanding.api import clean_text, understand, understand_many
    from lbie_desktop.understanding.classifier import WEIGHTS, get_classifier
    from lbie_desktop.understanding.decide import ALWAYS_LOCAL
    from lbie_desktop.understanding.gier import load_split

    examples = load_split(data, split)
    t0 = time.time()
    clf = get_classifier()
    if clf is None:
        raise MissingModelError(f"no understanding weights at {WEIGHTS}; run "
                                "`lbie train understanding`")
    load_s = time.time() - t0
    texts = [clean_text(e.text) for e in examples]
    t0 = time.time()
    p, q = clf.predict(texts)
    encode_s = time.time() - t0
    raw = [{op: bool(q[i, j] > 0.5) for j, op in enumerate(clf.ops)
            if p[i, j] > clf.thresholds.get(op, 0.5)} for i in range(len(texts))]
    fill_rule = [{op: op in ALWAYS_LOCAL for op in d} for d in raw]
    t0 = time.time()
    # "shipped" is exactly what the app proposes: every step understand() returns (switched
    # on or offered off), with its final locality
    # (an op's first step: more regions for one op are extra steps after it)
    shipped = [{s.op: s.local for s in reversed(steps)} for steps in understand_many(texts)]
    batch_s = time.time() - t0
    sample = texts[:: max(1, len(texts) // 200)][:200]
    times = []
    for t in sample:
        t1 = time.perf_counter()
        understand(t)
        times.append((time.perf_counter() - t1) * 1000)
    return {
        "split": split, "requests": len(examples), "thresholds": clf.thresholds,
        "classifier": _scores(examples, raw),
        "shipped": _scores(examples, shipped),
        "locality_baseline_fill_ops_local": round(_locality(examples, fill_rule)[0], 4),
        # the same rule on the ops the app proposes, to compare with the shipped accuracy
        "locality_baseline_fill_ops_local_shipped": round(_locality(
            examples, [{op: op in ALWAYS_LOCAL for op in d} for d in shipped])[0], 4),
        "timing": {"load_s": round(load_s, 2), "encode_all_s": round(encode_s, 1),
                   "understand_many_all_s": round(batch_s, 1),
                   "single_request_ms_median": round(float(np.median(times)), 1),
                   "single_request_ms_p95": round(float(np.percentile(times, 95)), 1)},
    }


def format_report(r: dict) -> str:
    lines = [f"GIER {r['split']}: {r['requests']} requests"]
    for name in ("classifier", "shipped"):
        s = r[name]
        lines += [
            f"\n[{name}]" + ("  (classifier + explicit words + negation: what the app proposes)"
                             if name == "shipped" else "  (thresholded model output)"),
            f"  9 labels : micro-F1 {s['micro_f1_9']:.4f}  macro-F1 {s['macro_f1_9']:.4f}",
            f"  all ops  : micro-F1 {s['micro_f1_all']:.4f}  macro-F1 {s['macro_f1_all']:.4f}",
            f"  local/global accuracy on correctly predicted ops: "
            f"{s['local_global_accuracy']:.4f} ({s['local_global_counted']} ops)",
            "  per-label F1 (9): " + ", ".join(f"{k} {v:.3f}"
                                               for k, v in s["per_label_f1_9"].items()),
            "  per-label F1 (all): " + ", ".join(f"{k} {v:.3f}"
                                                 for k, v in s["per_label_f1_all"].items()),
        ]
    if "ceiling" in r:
        c = r["ceiling"]
        lines += [f"\nwhat these labels allow (9 labels): one editor's ops predicting another's "
                  f"for the same photo and request micro-F1 {c['editor_agreement_micro_f1_9']:.4f} "
                  f"({c['editor_pairs']} ordered pairs, train + val); this classifier pooled "
                  f"over all requests of each pair {c['pooled_per_pair_micro_f1_9']:.4f}"]
    t = r["timing"]
    lines += [f"\nlocality baseline (fill ops local, rest global): "
              f"{r['locality_baseline_fill_ops_local']:.4f} on the classifier's ops, "
              f"{r['locality_baseline_fill_ops_local_shipped']:.4f} on the shipped ops",
              f"timing: load {t['load_s']} s, encode all {t['encode_all_s']} s, "
              f"understand_many all {t['understand_many_all_s']} s, one request median "
              f"{t['single_request_ms_median']} ms (p95 {t['single_request_ms_p95']} ms)"]
    return "\n".join(lines)


def editor_agreement(data, splits: tuple[str, ...] = ("train", "val")) -> tuple[float, int]:
    """How well one editor's ops predict another's for the same photo and request: GIER has
    several edited outputs of one input, each labelled with what *that* editor did. The
    micro-F1 (paper's 9 labels) over every ordered pair of such siblings, and their number:
    a bound on what any request-only predictor can reach, since the words are the same."""
    import itertools
    from collections import defaultdict

    from lbie_desktop.understanding.gier import load_records, record_ops

    by_input: dict[str, list[set[str]]] = defaultdict(list)
    for split in splits:
        for rec in load_records(data, split):
            by_input[f"{split}/{rec['input']}"].append(to_paper_labels(set(record_ops(rec))))
    tp = fp = fn = n = 0
    for sets in by_input.values():
        for a, b in itertools.permutations(sets, 2):
            tp, fp, fn, n = tp + len(a & b), fp + len(b - a), fn + len(a - b), n + 1
    return 2 * tp / max(1, 2 * tp + fp + fn), n


def pooled_oracle(data, split: str) -> float:
    """Micro-F1 (9 labels) of the shipped classifier when it may average the probabilities of
    all requests of a pair (request + summaries) — information no single request has."""
    from collections import defaultdict

    from lbie_desktop.understanding.api import clean_text
    from lbie_desktop.understanding.classifier import get_classifier
    from lbie_desktop.understanding.gier import load_split
    from lbie_desktop.understanding.labels import PAPER_LABELS

    examples = load_split(data, split)
    clf = get_classifier()
    assert clf is not None
    p, _ = clf.predict([clean_text(e.text) for e in examples])
    rows: dict[int, list[int]] = defaultdict(list)
    for i, e in enumerate(examples):
        rows[e.pair].append(i)
    pooled = p.copy()
    for idx in rows.values():
        pooled[idx] = p[idx].mean(0)
    pred = to_sets(pooled, clf.ops, clf.thresholds)
    return micro_macro([set(e.ops) for e in examples], pred, PAPER_LABELS, paper=True)[0]
