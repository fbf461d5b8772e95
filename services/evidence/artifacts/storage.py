"""Artifact files on disk, named by their SHA-256: the client's filename never reaches the
filesystem, and the same content uploaded twice is stored once."""

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass
class StagedFile:
    """A file being received: written under the staging folder while its hash is computed."""

    path: Path
    size: int = 0
    _hash: "hashlib._Hash" = field(default_factory=hashlib.sha256)

    def write(self, chunk: bytes) -> None:
        with self.path.open("ab") as out:
            out.write(chunk)
        self._hash.update(chunk)
        self.size += len(chunk)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.staging = root / ".staging"

    def stage(self) -> StagedFile:
        self.staging.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=self.staging, prefix="upload-")
        os.close(handle)
        return StagedFile(Path(name))

    def path_for(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256

    def keep(self, staged: StagedFile) -> Path:
        """Moves a fully received file to its content address (atomic: same filesystem)."""
        target = self.path_for(staged.sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            staged.discard()
        else:
            os.replace(staged.path, target)
        return target
