"""Running the scale benchmark's tasks (child processes) and its stores, built once and cached."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bench.scale_measure import disk_mib, peak_rss_mib, read_progress, reset_peak_rss, write_json
from bench.scale_tasks import (
    NAIVE_CHUNK_SIZE,
    NAIVE_OVERLAP,
    TASKS,
    apply_threads,
    embedder_settings,
    ours_settings,
)

log = logging.getLogger("bench.scale")

SCRIPT = Path(__file__).resolve().with_name("scale.py")  # the child processes' entry


def run_task(spec: dict, inline: bool, cache: Path) -> dict:
    """Run a task in a child process (its peak RSS is its own) or in this one (peak reset)."""
    if inline:
        apply_threads(spec)
        reset_peak_rss()
        result = TASKS[spec["task"]](spec)
        return result | {"peak_rss_mib": peak_rss_mib()}
    folder = cache / "tasks"
    folder.mkdir(parents=True, exist_ok=True)
    spec_path = folder / f"{spec['name']}-{os.getpid()}.json"
    out_path = spec_path.with_suffix(".out.json")
    out_path.unlink(missing_ok=True)
    spec_path.write_text(json.dumps(spec | {"out": str(out_path)}))
    done = subprocess.run([sys.executable, str(SCRIPT), "--worker", str(spec_path)])
    if done.returncode:
        log.error("%s ended with status %d", spec["name"], done.returncode)
        spec_path.unlink(missing_ok=True)
        raise SystemExit(done.returncode if done.returncode > 0 else 1)
    result = json.loads(out_path.read_text())
    spec_path.unlink(missing_ok=True)
    out_path.unlink(missing_ok=True)
    return result


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_leftovers(cache: Path) -> None:
    """Remove the scratch folders and task files of runs that were killed (named ``…-<pid>``,
    the pid no longer running); a killed slice measurement is simply made again."""
    for path in [*(cache / "work").glob("*-*"), *(cache / "tasks").glob("*-*.json")]:
        pid = path.name.split(".")[0].rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def worker(spec_path: Path) -> None:
    """Child-process entry: run the task, write its result with this process's peak RSS."""
    spec = json.loads(spec_path.read_text())
    apply_threads(spec)
    result = TASKS[spec["task"]](spec)
    Path(spec["out"]).write_text(json.dumps(result | {"peak_rss_mib": peak_rss_mib()}))


# --- stores, cached ----------------------------------------------------------------------------


def store_key(pipeline: str, corpus_file: Path) -> str:
    """What decides a store's content: the corpus file, the pipeline and its settings."""
    if pipeline == "ours":
        recipe: dict = embedder_settings(ours_settings(Path("/nonexistent")))
    else:
        recipe = {"chunk_size": NAIVE_CHUNK_SIZE, "overlap": NAIVE_OVERLAP, "model": "bundled"}
    digest = hashlib.sha256(json.dumps([pipeline, corpus_file.name, recipe], sort_keys=True).encode())
    return digest.hexdigest()[:12]


def store_path(pipeline: str, size: str, corpus_file: Path, cache: Path) -> Path:
    return cache / "stores" / f"{pipeline}-{size}-{store_key(pipeline, corpus_file)}"


def cached_build(pipeline: str, size: str, corpus_file: Path, cache: Path, opts: dict) -> dict:
    """The build record of a store: read when the store is complete, else built now (a
    partial build with a ``progress.json`` is resumed)."""
    store = store_path(pipeline, size, corpus_file, cache)
    record_path = store / "build.json"
    if record_path.exists() and not opts["rebuild"]:
        record = json.loads(record_path.read_text())
        log.info("reusing %s (built in %.0f s)", store, record["seconds"])
        return record | {"cached": True}
    progress = read_progress(store)
    if opts["rebuild"] or progress is None:
        # --rebuild, or no record of the work in the folder (a run killed before its first
        # batch, or an older version of this script): its build time is unknown, start over
        shutil.rmtree(store, ignore_errors=True)
        log.info("building %s from %s", store, corpus_file.name)
    else:
        log.info(
            "resuming %s: %d chunks in %.0f s over %d segments so far",
            store,
            progress["chunks"],
            progress["seconds"],
            progress["segments"],
        )
    name = f"{pipeline}-{size}"
    spec = {
        "task": "build",
        "name": f"build-{name}",
        "pipeline": pipeline,
        "size": size,
        "corpus": str(corpus_file),
        "store": str(store),
        "threads": opts["threads"],
        "batch_chunks": opts["batch_chunks"],
        "stop_after": opts["stop_after"].get(name, opts["stop_after"].get("*", 0)),
    }
    result = run_task(spec, opts["inline"], cache)
    # the process's peak after the last batch (ours: BM25 built) counts too
    result["peak_rss_mib"] = max(result["peak_rss_mib"], result.pop("peak_rss_mib_batches", 0.0))
    result["segment_log"][-1]["peak_rss_mib"] = max(
        result["segment_log"][-1]["peak_rss_mib"], result["peak_rss_mib"]
    )
    result |= {
        "resumed": result["segments"] > 1,
        "store": str(store),
        "disk_mib": disk_mib(store),
        "built_at": dt.datetime.now().isoformat(timespec="seconds"),
        "isolated": not opts["inline"],
    }
    write_json(store / "progress.json", {k: v for k, v in result.items() if k != "disk_mib"})
    write_json(record_path, result)
    log.info(
        "built %s: %d chunks in %.0f s over %d segment(s), peak RSS %.0f MiB, %.0f MiB on disk",
        store.name,
        result["chunks"],
        result["seconds"],
        result["segments"],
        result["peak_rss_mib"],
        result["disk_mib"],
    )
    return result | {"cached": False}
