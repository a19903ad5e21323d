"""`lbie parse`, `lbie train understanding`, `lbie eval understanding`.

`train` and `eval` take the area as a positional argument so other areas can join the same
subcommands later (add them to `_TRAIN` / `_EVAL`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("parse", help="show the steps a request would give (no editing)",
                       description="Parse a request into steps. With --jsonl, read one request "
                                   "per line on stdin and write one JSON object per line.")
    p.add_argument("request", nargs="?", help="the request (omit with --jsonl)")
    p.add_argument("--image", help="photo to measure for vague requests (\"make it better\"); with "
                   "--jsonl, every request is read against it")
    p.add_argument("--json", action="store_true", help="print the steps as JSON")
    p.add_argument("--jsonl", action="store_true", help="batch mode: stdin lines -> JSON lines")
    p.set_defaults(func=cmd_parse)

    t = sub.add_parser("train", help="train a model (areas: understanding)")
    t.add_argument("area", choices=sorted(_TRAIN))
    t.add_argument("--data", help="GIER folder (default ../shared/data/gier from the repo root)")
    t.add_argument("--out", help="weights file (default models/understanding.safetensors)")
    t.add_argument("--epochs", type=int, default=5)
    t.add_argument("--lr", type=float, default=8e-5)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--threads", type=int, default=1,
                   help="torch threads (1: a second thread is slower on a shared machine)")
    t.add_argument("--train-layers", type=int, default=4, choices=range(1, 7),
                   help="MiniLM's top layers to fine-tune and ship (fp16, ~3.5 MB each)")
    t.add_argument("--smoothing", type=float, default=0.05,
                   help="label smoothing of the op targets (GIER's labels are noisy)")
    t.add_argument("--cache", help="file to keep the frozen layers' outputs between runs")
    t.add_argument("--finish", metavar="CHECKPOINT",
                   help="complete a stopped run from its epoch checkpoint (needs --ngrams-from)")
    t.add_argument("--ngrams-from", metavar="WEIGHTS",
                   help="with --finish: take the n-gram half from this weights file (fitted "
                        "on the same training pairs)")
    t.add_argument("--also-train-on", action="append", default=[], metavar="SPLIT",
                   help="add a split (val) to the training requests once choices are made")
    t.add_argument("--rethreshold", metavar="WEIGHTS",
                   help="only choose WEIGHTS' thresholds again on the calibration pairs")
    t.add_argument("--no-ngrams", action="store_true",
                   help="MiniLM only (skip the hashed n-gram model in the ensemble)")
    t.set_defaults(func=cmd_train)

    e = sub.add_parser("eval", help="score a model (areas: understanding)")
    e.add_argument("area", choices=sorted(_EVAL))
    e.add_argument("--data", help="GIER folder (default ../shared/data/gier from the repo root)")
    e.add_argument("--split", default="val", help="split file name (val; test when you have it)")
    e.add_argument("--json", action="store_true", help="print the scores as JSON")
    e.add_argument("--ceiling", action="store_true",
                   help="also print what these labels allow: editor-vs-editor agreement and "
                        "the classifier pooled over each pair's requests")
    e.set_defaults(func=cmd_eval)


def _step_dict(s) -> dict:
    return {"op": s.op, "confidence": round(float(s.confidence), 4), "local": bool(s.local),
            "target": s.target, "params": s.params, "evidence": s.evidence}


def cmd_parse(args: argparse.Namespace) -> int:
    from lbie_desktop.errors import UserError
    from lbie_desktop.understanding.api import understand, understand_many

    image = None
    if args.image:
        from lbie_desktop.cli.common import load

        image = load(args.image).rgb
    if args.jsonl:
        if args.request:
            raise UserError("--jsonl reads requests from stdin; don't also give one")
        lines = [line.rstrip("\n") for line in sys.stdin]
        out = sys.stdout
        for start in range(0, len(lines), 256):
            chunk = lines[start:start + 256]
            # every request is read against the one photo given (measured once per request)
            for text, steps in zip(chunk, understand_many(chunk, [image] * len(chunk))):
                out.write(json.dumps({"request": text, "steps": [_step_dict(s) for s in steps]})
                          + "\n")
        out.flush()
        return 0
    if args.request is None:
        raise UserError('give a request, e.g. lbie parse "brighten the face a bit"')
    steps = understand(args.request, image)
    if args.json:
        print(json.dumps({"request": args.request, "steps": [_step_dict(s) for s in steps]},
                         indent=2))
        return 0
    if not steps:
        print("Nothing to do: I didn't recognise an edit in that request.")
        return 0
    for s in steps:
        where = f" on “{s.target}”" if s.local else " (whole image)"
        if s.target and not s.local:  # a crop framed on a subject: margins come from the photo
            cut = s.target.startswith("not: ")
            where = (f" cutting away “{s.target[5:]}”" if cut else f" framed on “{s.target}”") \
                + " (margins set once it is found in the photo)"
        params = ", ".join(f"{k}={_fmt(v)}" for k, v in s.params.items())
        print(f"{s.op}{where}  confidence {s.confidence:.2f}  {params}")
        for e in s.evidence:
            print(f"    because {e}")
    return 0


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.3g}"
    if isinstance(v, list):
        return "[" + ",".join(f"{x:.2f}" for x in v) + "]"
    return str(v)


def _train_understanding(args: argparse.Namespace) -> int:
    from lbie_desktop.understanding.classifier import WEIGHTS
    from lbie_desktop.understanding.train import train

    out = Path(args.out) if args.out else WEIGHTS
    t0 = time.time()
    if args.rethreshold:
        from lbie_desktop.understanding.train import rethreshold

        meta = rethreshold(args.data, Path(args.rethreshold), out)
        print(f"calibration micro-F1 (9 labels) {meta['calibration_micro_f1_9']}; "
              f"sha256 {_sha256(out)}")
        return 0
    if args.finish:
        from lbie_desktop.errors import UserError
        from lbie_desktop.understanding.train import finish

        if not args.ngrams_from or not Path(args.finish).is_file():
            raise UserError("--finish needs an existing checkpoint and --ngrams-from WEIGHTS")
        try:
            meta = finish(args.data, Path(args.finish), Path(args.ngrams_from), out,
                          seed=args.seed, threads=args.threads)
        except ValueError as exc:
            raise UserError(str(exc)) from None
        print(f"done in {time.time() - t0:.0f} s; calibration micro-F1 (9 labels) "
              f"{meta['calibration_micro_f1_9']}; sha256 {_sha256(out)}")
        return 0
    meta = train(args.data, out, epochs=args.epochs, lr=args.lr, seed=args.seed,
                 threads=args.threads, n_lower=6 - args.train_layers,
                 smoothing=args.smoothing, cache_file=Path(args.cache) if args.cache else None,
                 ngrams=not args.no_ngrams, also_train_on=tuple(args.also_train_on))
    print(f"done in {time.time() - t0:.0f} s; calibration micro-F1 (9 labels) "
          f"{meta['calibration_micro_f1_9']}; sha256 {_sha256(out)}")
    return 0


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _eval_understanding(args: argparse.Namespace) -> int:
    from lbie_desktop.understanding.evaluate import evaluate_split, format_report

    report = evaluate_split(args.data, args.split)
    if args.ceiling:
        from lbie_desktop.understanding.evaluate import editor_agreement, pooled_oracle

        f1, n = editor_agreement(args.data)
        report["ceiling"] = {"editor_agreement_micro_f1_9": round(f1, 4),
                             "editor_pairs": n,
                             "pooled_per_pair_micro_f1_9": round(pooled_oracle(args.data,
                                                                               args.split), 4)}
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0


_TRAIN: dict[str, Callable[[argparse.Namespace], int]] = {"understanding": _train_understanding}
_EVAL: dict[str, Callable[[argparse.Namespace], int]] = {"understanding": _eval_understanding}


def cmd_train(args: argparse.Namespace) -> int:
    return _TRAIN[args.area](args)


def cmd_eval(args: argparse.Namespace) -> int:
    return _EVAL[args.area](args)
