"""Ships the self-contained ``freeenergy`` binary and the model file to every Dask worker."""
from __future__ import annotations

import hashlib
import os

from distributed.diagnostics.plugin import WorkerPlugin


class ShippedFiles(WorkerPlugin):
    """A worker plugin that writes files into each worker's local directory, in a folder named by their content
    hash, the binary made executable. It runs on the workers present when it is registered and on every worker
    that joins later (a worker restarted by its nanny included). Written through a temporary name and a rename,
    so a half-written file is never used."""

    def __init__(self, paths: dict[str, str], executable: tuple[str, ...] = ()):
        """``paths``: the name each file gets on the workers -> its path here; ``executable``: names to chmod +x."""
        self.files = {}
        for name, path in sorted(paths.items()):
            with open(path, "rb") as f:
                self.files[name] = f.read()
        self.executable = tuple(executable)
        self.folder = content_folder(paths)
        self.name = self.folder

    def setup(self, worker):
        target = os.path.join(worker.local_directory, self.folder)
        os.makedirs(target, exist_ok=True)
        for name, data in self.files.items():
            final = os.path.join(target, name)
            if os.path.exists(final) and os.path.getsize(final) == len(data):
                continue
            temp = f"{final}.{os.getpid()}.tmp"
            with open(temp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            if name in self.executable:
                os.chmod(temp, 0o755)
            os.replace(temp, final)
        self.files = {}  # the worker keeps the files on disk, not a second copy in memory


def content_folder(paths: dict[str, str]) -> str:
    """The folder :class:`ShippedFiles` uses for these files: named by a hash of their names and contents (read in
    blocks, so that checking whether a cluster already has them does not hold them in memory)."""
    digest = hashlib.sha256()
    for name, path in sorted(paths.items()):
        content = hashlib.sha256()
        with open(path, "rb") as f:
            while block := f.read(1 << 20):
                content.update(block)
        digest.update(name.encode() + b"\0" + content.digest())
    return "freeenergy-" + digest.hexdigest()[:16]


def shipped_path(local_directory: str, folder: str, name: str) -> str:
    """Where :class:`ShippedFiles` put ``name`` on a worker whose local directory is ``local_directory``."""
    return os.path.join(local_directory, folder, name)
