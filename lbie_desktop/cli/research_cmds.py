"""`lbie research cosal train|eval|figure`: the CoSaL reproduction (issue 7)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lbie_desktop.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    research = sub.add_parser("research", help="reproductions of papers' benchmarks")
    rsub = research.add_subparsers(dest="research_command", metavar="BENCHMARK")
    cosal = rsub.add_parser("cosal", help="CoSaL: colour shapes from a 9-sentence description")
    csub = cosal.add_subparsers(dest="cosal_command", metavar="ACTION")

    tr = csub.add_parser("train", help="train a CoSaL model (CPU, 1 thread)")
    tr.add_argument("--direct", type=int, default=6, choices=[0, 4, 6, 8],
                    help="direct sentences per description (0 = mix of 4, 6, 8)")  # fmt: skip
    tr.add_argument("--steps", type=int, default=4, help="inference steps T")
    tr.add_argument("--arch", choices=["paper", "improved"], default="paper")
    tr.add_argument("--no-attention", action="store_true", help="the paper's T=1 concat baseline")
    tr.add_argument("--train-size", type=int, default=50_000)
    tr.add_argument("--epochs", type=float, default=100.0)
    tr.add_argument("--minutes", type=float, default=60.0, help="wall-clock budget")
    tr.add_argument("--batch", type=int, default=32)
    tr.add_argument("--lr", type=float, default=1e-3)
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--out", type=Path, help="weights file (.safetensors)")
    tr.add_argument("--init", type=Path, help="continue from these weights (same --arch/--steps)")
    tr.add_argument("--checkpoint-every", type=int, default=1000,
                    help="save --out every N steps (0 = only at the end)")  # fmt: skip
    tr.add_argument("--cache", type=Path, help="folder to cache generated data in")
    tr.set_defaults(func=_train)

    ev = csub.add_parser("eval", help="print the paper's Table 2 grid for the shipped weights")
    ev.add_argument("--test-size", type=int, default=10_000)
    ev.add_argument(
        "--models", type=Path, help="folder with cosal_*.safetensors (default: models/)"
    )
    ev.add_argument("--json", action="store_true")
    ev.add_argument("--direct", type=int, action="append", choices=[4, 6, 8],
                    help="only these columns (repeatable; default 4, 6 and 8)")  # fmt: skip
    ev.set_defaults(func=_eval)

    fig = csub.add_parser("figure", help="PNG: which sentence each step attends to (Figure 5)")
    fig.add_argument("out", type=Path)
    fig.add_argument("--weights", type=Path, help="default: models/cosal_improved.safetensors")
    fig.add_argument("--direct", type=int, default=4, choices=[4, 6, 8])
    fig.add_argument("--count", type=int, default=4)
    fig.set_defaults(func=_figure)

    def _help(args: argparse.Namespace) -> int:
        cosal.print_help()
        return 2

    research.set_defaults(func=_help)
    cosal.set_defaults(func=_help)


def _train(args: argparse.Namespace) -> int:
    import torch

    from lbie_desktop.research.cosal.train import TrainConfig, train

    torch.set_num_threads(1)  # the machine is shared; one core per training
    if args.no_attention and args.steps != 1:
        raise UserError("--no-attention is the paper's T=1 baseline: add --steps 1")
    if args.steps < 1 or args.train_size < 1 or args.minutes <= 0:
        raise UserError("--steps, --train-size and --minutes must be positive")
    if args.init is not None:
        _check_init(args)
    cfg = TrainConfig(
        arch=args.arch, direct=args.direct, steps=args.steps, attention=not args.no_attention,
        train_size=args.train_size, epochs=args.epochs, minutes=args.minutes, batch=args.batch,
        lr=args.lr, seed=args.seed, init=str(args.init or ""),
        checkpoint_every=max(0, args.checkpoint_every),
    )  # fmt: skip
    train(cfg, args.out, args.cache, log=lambda m: print(m, flush=True))
    return 0


def _check_init(args: argparse.Namespace) -> None:
    """--init must hold weights of the network being trained, else load_state_dict fails late."""
    from lbie_desktop.research.cosal.train import load

    if not args.init.exists():
        raise UserError(f"--init weights not found: {args.init}")
    try:
        _, cfg, _ = load(args.init)
    except Exception as e:  # not a safetensors file, or no CoSaL config in it
        raise UserError(f"--init {args.init} is not a CoSaL weights file ({e})") from e
    wanted = (args.arch, args.steps, not args.no_attention)
    if (cfg.arch, cfg.steps, cfg.attention) != wanted:
        raise UserError(
            f"--init {args.init} holds arch={cfg.arch} steps={cfg.steps} "
            f"attention={cfg.attention}; this run trains arch={args.arch} steps={args.steps} "
            f"attention={not args.no_attention}"
        )


def _eval(args: argparse.Namespace) -> int:
    from lbie_desktop.paths import MODEL_CARDS
    from lbie_desktop.research.cosal.evaluate import evaluate, format_grid

    models = args.models or MODEL_CARDS
    if not list(Path(models).glob("cosal_*.safetensors")):
        raise UserError(f"no cosal_*.safetensors weights in {models}")
    if args.test_size < 1:
        raise UserError("--test-size must be positive")
    log = None if args.json else (lambda m: print(m, file=sys.stderr, flush=True))
    grid = evaluate(
        args.test_size, models_dir=Path(models), log=log, columns=tuple(args.direct or (4, 6, 8))
    )
    print(json.dumps(grid) if args.json else format_grid(grid, args.test_size))
    return 0


def _figure(args: argparse.Namespace) -> int:
    from lbie_desktop.paths import MODEL_CARDS
    from lbie_desktop.research.cosal.evaluate import TEST_SEED
    from lbie_desktop.research.cosal.figure import render
    from lbie_desktop.research.cosal.generator import generate
    from lbie_desktop.research.cosal.train import load

    weights = args.weights or MODEL_CARDS / "cosal_improved.safetensors"
    if not Path(weights).exists():
        raise UserError(f"weights not found: {weights}")
    model, cfg, _ = load(Path(weights))
    if cfg.arch == "paper" and not cfg.attention:
        raise UserError("the no-attention model has no attention to show")
    data = generate(args.count, args.direct, TEST_SEED, cfg.size)
    print(render(model, data, list(range(args.count)), args.out))
    return 0
