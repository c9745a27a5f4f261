"""Read a workbook in a child process with memory and CPU-time limits (``resource.setrlimit``).

The guards in :mod:`importers.sheet_guard` refuse the hostile files we know; this is the backstop for
those we do not: whatever a file does to the reader, only the child dies – never the web worker or the CLI.
The child pickles the :class:`RawWorkbook` (or the German error) into a temporary file for the parent.

Run as ``python -m importers.isolated <path> <max_bytes> <memory_mb> <seconds> <result file>`` (internal).
"""

from __future__ import annotations

import os
import pickle
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from importers.workbook import RawWorkbook, UnreadableWorkbook, read_workbook

_PROJECT_ROOT = Path(__file__).resolve().parent.parent
_MB = 1024 * 1024


def read_workbook_isolated(path: Path, *, max_bytes: int, memory_mb: int, seconds: int) -> RawWorkbook:
    """:func:`read_workbook` in a child limited to ``memory_mb`` of address space and ``seconds`` of CPU."""
    with tempfile.TemporaryDirectory(prefix="fww-read-") as folder:
        result = Path(folder) / "result.pickle"
        command = [
            sys.executable, "-m", "importers.isolated",
            str(path.resolve()), str(max_bytes), str(memory_mb), str(seconds), str(result),
        ]  # fmt: skip
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(_PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
        }
        try:
            child = subprocess.run(  # noqa: S603  (our own interpreter and module, no shell)
                command, capture_output=True, timeout=seconds * 2 + 10, env=env, check=False
            )
        except subprocess.TimeoutExpired:
            raise _too_costly(path, memory_mb, seconds) from None
        if child.returncode != 0 or not result.exists():
            raise _too_costly(path, memory_mb, seconds)
        with result.open("rb") as handle:
            outcome = pickle.load(handle)  # noqa: S301  (written by our own child just now)
    if isinstance(outcome, RawWorkbook):
        return outcome
    raise UnreadableWorkbook(str(outcome))


def _too_costly(path: Path, memory_mb: int, seconds: int) -> UnreadableWorkbook:
    return UnreadableWorkbook(
        f"„{path.name}“ konnte nicht gelesen werden: Das Lesen brauchte mehr als {memory_mb} MB Speicher "
        f"oder {seconds} Sekunden (IMPORT_MAX_MEMORY_MB, IMPORT_MAX_SECONDS). Enthält die Arbeitsmappe "
        "riesige leere, aber formatierte Bereiche? Der Import wurde abgebrochen, nichts wurde geändert."
    )


def _child(argv: list[str]) -> int:
    path, max_bytes, memory_mb, seconds, result = argv
    limit = int(memory_mb) * _MB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (int(seconds), int(seconds) + 1))
    outcome: RawWorkbook | str
    try:
        outcome = read_workbook(Path(path), max_bytes=int(max_bytes))
    except UnreadableWorkbook as exc:
        outcome = str(exc)
    except MemoryError:
        return 3
    with open(result, "wb") as handle:
        pickle.dump(outcome, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1:]))
