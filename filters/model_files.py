"""Model and lexicon files may live on object storage (``gs://.../safety.ftz``): each worker copies such a file
once into its own temporary folder, because fastText, NumPy and the lexicon reader open local paths only."""
from __future__ import annotations

import hashlib
import os
import posixpath
import tempfile


def local_copy(path: str) -> str:
    """``path`` itself when local; else a local copy (made once per machine, written atomically)."""
    path = str(path)
    if "://" not in path or path.startswith("file://"):
        return path[len("file://"):] if path.startswith("file://") else path
    from apache_beam.io.filesystems import FileSystems  # only for URIs: the filters stay free of Beam otherwise

    folder = os.path.join(tempfile.gettempdir(), "ykcurate-models")
    os.makedirs(folder, exist_ok=True)
    digest = hashlib.sha256(path.encode()).hexdigest()[:16]
    local = os.path.join(folder, f"{digest}-{posixpath.basename(path)}")
    if not os.path.exists(local):
        tmp = f"{local}.{os.getpid()}.tmp"
        with FileSystems.open(path) as source, open(tmp, "wb") as target:
            for block in iter(lambda: source.read(1 << 20), b""):
                target.write(block)
        os.replace(tmp, local)
    return local
