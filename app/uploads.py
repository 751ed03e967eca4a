"""Uploaded scans: the type is judged by content, the name is ours, the path never leaves the storage root."""

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

ALLOWED = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}
MAX_BYTES = 10 * 1024 * 1024
SIGNATURES = ((b"%PDF-", "pdf"), (b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"))
FOLDER = re.compile(r"^[a-z0-9_-]+(/[a-z0-9_-]+)*$")


class UploadError(Exception):
    """A refused upload, with an Indonesian message."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class StoredFile:
    """Where a file was stored (relative to the root) and what it is."""

    path: str
    original_name: str
    mime: str
    size: int


def sniff(data: bytes) -> str | None:
    """'pdf', 'jpg' or 'png' from the first bytes; None for anything else."""
    return next((kind for magic, kind in SIGNATURES if data.startswith(magic)), None)


def _size_label(size: int) -> str:
    """'10 MB', or '500 KB' for small limits."""
    if size >= 1024 * 1024:
        return f"{size // (1024 * 1024)} MB"
    return f"{max(1, size // 1024)} KB"


def clean_name(name: str) -> str:
    """The client's file name as harmless metadata: basename, no control characters, ≤ 120 characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[:120] or "berkas"


def store(
    root: str | Path, folder: str, original_name: str, stream: BinaryIO, max_bytes: int = MAX_BYTES
) -> StoredFile:
    """Check and write an upload; never reads more than `max_bytes` + 1 bytes of the stream."""
    if not FOLDER.match(folder):
        raise ValueError(f"folder {folder!r} is not a safe relative path")
    data = stream.read(max_bytes + 1)
    if not data:
        raise UploadError("Berkas kosong.")
    if len(data) > max_bytes:
        raise UploadError(f"Berkas lebih dari {_size_label(max_bytes)}.")
    kind = sniff(data)
    if kind is None:
        raise UploadError("Jenis berkas tidak didukung: unggah PDF, JPEG atau PNG.")
    directory = Path(root) / folder
    directory.mkdir(mode=0o750, parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{kind}"
    temporary = directory / f".{name}.tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, directory / name)
    return StoredFile(
        path=f"{folder}/{name}", original_name=clean_name(original_name), mime=ALLOWED[kind], size=len(data)
    )


def open_stored(root: str | Path, relative_path: str) -> Path:
    """The absolute path of a stored file; refuses anything that would leave the root."""
    base = Path(root).resolve()
    target = (base / relative_path).resolve()
    if relative_path.startswith("/") or base not in target.parents or not target.is_file():
        raise UploadError("Berkas tidak ditemukan.")
    return target
