"""Which files a load may read: regular files inside the folder or archive it was given, nothing else.

Case folders come off seized drives and bundles are made by other people, so a load trusts
nothing about what a folder or archive holds. Every reader that takes a folder or an archive
lists it here, and the ``load`` command and format detection check the named path here first:

* **The named path** is followed if it is a link (the user chose it), but it must be a folder
  or a regular file. A device, FIFO or socket is refused before anything opens it: opening a
  FIFO waits for ever for a writer, and ``/dev/zero`` never ends.
* **Inside a folder** only the regular files at its top are read. Symbolic links are never
  followed, not even to a file inside the folder: a file that is there is read under its own
  name anyway, and a link made by someone else is how a folder reaches outside itself (a
  bundle's ``accounts.csv`` linked to the machine's user list). Hidden files, sub-folders (one
  named like a file, ``properties.csv/``, too), devices, FIFOs and sockets are skipped.
* **Archive members** are copied 1 MiB at a time into a private temporary folder, never read
  whole into memory. A member that is a link or other special file, has an absolute name,
  escapes with ``..``, is hidden or encrypted, or shares its file name with another member the
  reader wants (two ``people.csv`` in different folders: which one is the case's is not for a
  loader to guess) is skipped.
* **Sizes** are capped per file and per archive (:class:`Limits`). For an archive the caps are
  checked on the sizes the members declare before anything is decompressed, and again on the
  bytes actually decompressed while copying: a header is never trusted alone.

Every skipped file is returned with why (:class:`Skipped`); readers hand them to
:meth:`ingest.pipeline.Loader.skip`, so they appear in the load report, which then does not
reconcile. A path or archive that cannot be used at all raises
:class:`~graph.errors.InvalidRecord` with the reason.
"""

from __future__ import annotations

import io
import os
import re
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from graph.errors import InvalidRecord

__all__ = ["Limits", "Skipped", "Listing", "OverCap", "check_path", "list_folder", "unpacked_zip", "zip_names",
           "copy_capped", "parse_size", "size_text", "DEFAULT_MAX_FILE_SIZE", "DEFAULT_MAX_ARCHIVE_SIZE",
           "MAX_MEMBERS"]

GiB = 1 << 30
# Above any single national file published today (Price Paid complete: ~5 GB; Companies House
# basic data: ~2.5 GB); a plain file is read a row at a time, so this is a sanity limit.
DEFAULT_MAX_FILE_SIZE = 64 * GiB
# What an archive may expand to on disk (the temporary copy): a case bundle of 4 GiB holds some
# 3*10^7 rows. This is the cap that stops a zip bomb.
DEFAULT_MAX_ARCHIVE_SIZE = 4 * GiB
MAX_MEMBERS = 10_000  # a bundle holds a handful of files; more is not a bundle
_CHUNK = 1 << 20
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": GiB, "t": 1 << 40}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", re.IGNORECASE)
_DRIVE = re.compile(r"[A-Za-z]:")
# Why a member could not be read: a corrupt or lying entry, a method zipfile lacks, a password.
_UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError)


def parse_size(value: str | int) -> int:
    """Bytes from ``"64G"``, ``"500 MiB"``, ``"1.5g"`` or a number of bytes (units are binary).

    Raises
    ------
    InvalidRecord
        When the value is not a positive size.

    Examples
    --------
    >>> parse_size("4G"), parse_size("500 MiB"), parse_size("1.5k"), parse_size(1024)
    (4294967296, 524288000, 1536, 1024)
    """
    match = _SIZE.fullmatch(str(value))
    size = int(float(match.group(1)) * _UNITS[match.group(2).lower()]) if match else 0
    if size <= 0:
        raise InvalidRecord(f"not a size: {value!r} (say 64G, 500M, or a number of bytes)")
    return size


def size_text(size: int) -> str:
    """A size for a message.

    >>> size_text(5 * 1024 ** 3), size_text(1536), size_text(12)
    ('5.0 GiB', '1.5 KiB', '12 bytes')
    """
    for unit, scale in (("TiB", 1 << 40), ("GiB", GiB), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


@dataclass(frozen=True)
class Limits:
    """The caps a load reads under; ``--max-file-size`` / ``--max-archive-size`` raise them."""

    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    max_archive_size: int = DEFAULT_MAX_ARCHIVE_SIZE

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Limits:
        """The caps in reader options (bytes or ``"8G"``), defaults for the ones not given.

        >>> Limits.from_options({"max_archive_size": "1G"}).max_archive_size
        1073741824
        """
        return cls(parse_size(options.get("max_file_size") or DEFAULT_MAX_FILE_SIZE),
                   parse_size(options.get("max_archive_size") or DEFAULT_MAX_ARCHIVE_SIZE))

    def over_file_cap(self, size: int, declared: bool = False) -> str | None:
        """Why a file of ``size`` bytes is not read, or None when it is within the cap."""
        if size <= self.max_file_size:
            return None
        return (f"{'declares ' if declared else ''}{size_text(size)}, over the per-file cap of "
                f"{size_text(self.max_file_size)} (raise it with --max-file-size)")


@dataclass(frozen=True)
class Skipped:
    """A file of a folder or archive that was not read, and why."""

    name: str
    reason: str


@dataclass
class Listing:
    """What a folder or archive holds: the files to read (by name) and the others, with why."""

    folder: Path
    files: dict[str, Path] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    own: list[str] = field(default_factory=list)  # the load's own outputs found in the folder, passed over

    def refusal(self, name: str) -> str | None:
        """Why a file called ``name`` (at any depth of an archive) was skipped, if it was."""
        return next((s.reason for s in self.skipped if PurePosixPath(s.name).name == name), None)


class OverCap(Exception):  # noqa: N818 - internal signal, caught where the cap is known
    """More bytes came out of a stream than the cap allows (``copied`` were written)."""

    def __init__(self, copied: int) -> None:
        super().__init__(copied)
        self.copied = copied


def _shown(name: str) -> str:
    """A file name that can be printed and put in JSON (undecodable bytes shown as ``\\xff``)."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _refusal(mode: int) -> str | None:
    """Why a file of this ``st_mode`` is not read (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link: links are never followed, not even to a file in the same folder"
    if stat.S_ISDIR(mode):
        return "a folder, not a file: only the files at the top of the folder are read"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO), not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a regular file"
    return "not a regular file"


def check_path(path: Path, limits: Limits | None = None) -> None:
    """Refuse a named path that is neither a folder nor a regular file (nor, given ``limits``, one
    over the per-file cap). The path itself may be a link: the user named it.

    Raises
    ------
    InvalidRecord
        With the reason, before anything opens the path.

    Examples
    --------
    >>> check_path(Path("/dev/null"))
    Traceback (most recent call last):
    ...
    graph.errors.InvalidRecord: /dev/null refused: a device, not a regular file
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InvalidRecord(f"{path}: no such file or folder") from None
    except OSError as exc:
        raise InvalidRecord(f"{path} cannot be read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        return
    why = _refusal(st.st_mode) or (limits.over_file_cap(st.st_size) if limits else None)
    if why:
        raise InvalidRecord(f"{path} refused: {why}")


def own_outputs(store: object, quarantine_dir: Path) -> frozenset[Path]:
    """What a load writes that may sit in the folder it reads (``assetgraph load .``): the
    quarantine folder and the store's database file with its journal files."""
    out = {Path(quarantine_dir).resolve()}
    db = getattr(store, "path", None)
    if isinstance(db, str) and db != ":memory:":
        out |= {Path(db + suffix).resolve() for suffix in ("", "-wal", "-shm", "-journal")}
    return frozenset(out)


def list_folder(folder: Path, limits: Limits | None = None,
                wanted: Callable[[str], str | None] | None = None, own: frozenset[Path] = frozenset()) -> Listing:
    """The regular files at the top of ``folder`` that ``wanted`` accepts (it returns why not, or
    None), and every other entry as :class:`Skipped`. Nothing is opened. Entries in ``own`` (the
    load's own outputs, :func:`own_outputs`) are listed in ``Listing.own``, neither read nor skipped.

    Raises
    ------
    InvalidRecord
        When the folder cannot be listed.
    """
    limits = limits or Limits()
    listing = Listing(folder)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        raise InvalidRecord(f"{folder} cannot be listed: {exc.strerror or exc}") from None
    for entry in entries:
        name = _shown(entry.name)
        if own and Path(entry.path).resolve() in own:
            listing.own.append(name)
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError as exc:
            why: str | None = f"cannot be read: {exc.strerror or exc}"
        else:
            why = ("a hidden file" if name.startswith(".") else _refusal(st.st_mode)
                   or (wanted(name) if wanted else None) or limits.over_file_cap(st.st_size)
                   or (None if os.access(entry.path, os.R_OK) else "cannot be read: permission denied"))
        if why:
            listing.skipped.append(Skipped(name, why))
        else:
            listing.files[name] = Path(entry.path)
    return listing


def _member_refusal(info: zipfile.ZipInfo) -> str | None:
    """Why an archive member is never extracted, whatever its name."""
    name = info.filename.replace("\\", "/")
    mode = info.external_attr >> 16  # Unix st_mode, when the archiver recorded one
    if stat.S_ISLNK(mode):
        return "a symbolic link inside the archive: links are never followed"
    if mode and stat.S_IFMT(mode) and not stat.S_ISREG(mode):
        return "not a regular file inside the archive"
    if name.startswith("/") or _DRIVE.match(name):
        return "an absolute path inside the archive: unsafe, refused"
    parts = PurePosixPath(name).parts
    if ".." in parts:
        return "a path that escapes the archive ('..'): unsafe, refused"
    if any(p.startswith(".") or p == "__MACOSX" for p in parts):
        return "a hidden file"
    if any(ord(c) < 32 for c in name):
        return "a name with control characters"
    if info.flag_bits & 0x1:
        return "encrypted: the loader has no password"
    return None


def check_zip_size(path: Path, cap: int = DEFAULT_MAX_ARCHIVE_SIZE) -> None:
    """Refuse a zip-based file (an XLSX workbook) whose members declare more than ``cap`` bytes.

    A library that opens such a file itself (openpyxl) reads through :mod:`zipfile`, which stops
    every member at its declared size, so the declared total bounds what can come out.

    Raises
    ------
    InvalidRecord
        Over the cap, or not a readable zip.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(i.file_size for i in zf.infolist())
    except (OSError, *_UNREADABLE) as exc:
        raise InvalidRecord(f"{path.name} is not a readable zip/workbook: {exc}") from None
    if total > cap:
        raise InvalidRecord(f"{path.name} unpacks to {size_text(total)}, more than {size_text(cap)} "
                            f"(--max-archive-size raises the cap)")


def zip_names(path: Path) -> list[str] | None:
    """The member names of a readable zip, or None when ``path`` is not one (never raises)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return zf.namelist()
    except (OSError, *_UNREADABLE):
        return None


def _choose(zf: zipfile.ZipFile, limits: Limits, wanted: Callable[[str], str | None] | None,
            listing: Listing) -> dict[str, zipfile.ZipInfo]:
    """The members to extract, by file name; the others go to ``listing.skipped``."""
    members = [i for i in zf.infolist() if not i.is_dir()]
    if len(members) > MAX_MEMBERS:
        raise InvalidRecord(f"the archive holds {len(members)} files, more than {MAX_MEMBERS}: not read")
    by_name: dict[str, list[zipfile.ZipInfo]] = {}
    for info in members:
        base = PurePosixPath(info.filename.replace("\\", "/")).name
        why = _member_refusal(info) or (wanted(base) if wanted else None)
        if why:
            listing.skipped.append(Skipped(_shown(info.filename), why))
        else:
            by_name.setdefault(base, []).append(info)
    chosen: dict[str, zipfile.ZipInfo] = {}
    for base, infos in by_name.items():
        if len(infos) > 1:
            names = ", ".join(repr(i.filename) for i in infos)
            listing.skipped += [Skipped(_shown(i.filename), f"{len(infos)} members are named {base!r} ({names}): "
                                        "which one to read is not guessed") for i in infos]
        elif why := limits.over_file_cap(infos[0].file_size, declared=True):
            listing.skipped.append(Skipped(_shown(infos[0].filename), why))
        else:
            chosen[base] = infos[0]
    declared = sum(i.file_size for i in chosen.values())
    if declared > limits.max_archive_size:
        raise InvalidRecord(f"the archive's files declare {size_text(declared)}, over the per-archive cap of "
                            f"{size_text(limits.max_archive_size)} (raise it with --max-archive-size)")
    return chosen


class CappedReader(io.RawIOBase):
    """A binary stream that refuses to give more than ``cap`` bytes (a ``.gz`` read in place).

    Decompressing a stream is the only way to learn its size, so a gzip bomb is stopped while it
    is read: past the cap the read raises :class:`~graph.errors.InvalidRecord` naming the file and
    the option that raises the cap, and the load ends with that one line.
    """

    def __init__(self, source: IO[bytes], cap: int, name: str) -> None:
        self._source, self._cap, self._name, self._read = source, cap, name, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._source.read(min(len(buffer), self._cap - self._read + 1))
        self._read += len(data)
        if self._read > self._cap:
            raise InvalidRecord(f"{self._name}: more than {size_text(self._cap)} once decompressed "
                                f"(--max-file-size raises the cap)")
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._source.close()
        super().close()


def copy_capped(source: IO[bytes], target: IO[bytes], cap: int) -> int:
    """Copy ``source`` to ``target`` a chunk at a time; returns the bytes copied.

    The count is of the bytes that actually came out of ``source`` (for a compressed stream,
    the decompressed bytes), so a stream that lies about its size is stopped at ``cap``.

    Raises
    ------
    OverCap
        As soon as more than ``cap`` bytes have come out.

    Examples
    --------
    >>> import io
    >>> copy_capped(io.BytesIO(b"x" * 10), io.BytesIO(), cap=10)
    10
    >>> copy_capped(io.BytesIO(b"x" * 11), io.BytesIO(), cap=10)
    Traceback (most recent call last):
    ...
    ingest.source_files.OverCap: 11
    """
    copied = 0
    while chunk := source.read(min(_CHUNK, cap - copied + 1)):
        copied += len(chunk)
        if copied > cap:
            raise OverCap(copied)
        target.write(chunk)
    return copied


@contextmanager
def unpacked_zip(archive: Path, limits: Limits | None = None,
                 wanted: Callable[[str], str | None] | None = None) -> Iterator[Listing]:
    """The members of ``archive`` that ``wanted`` accepts (by file name), copied into a private
    temporary folder under their file names; every other member is :class:`Skipped`. The folder
    is removed on exit.

    Raises
    ------
    InvalidRecord
        When ``archive`` is not a readable zip, holds more than :data:`MAX_MEMBERS` files, or
        expands beyond the per-archive cap (nothing of it is then read).
    """
    limits = limits or Limits()
    try:
        zf = zipfile.ZipFile(archive)
    except (OSError, *_UNREADABLE) as exc:
        raise InvalidRecord(f"{archive} is not a readable zip: {exc}") from None
    with zf, tempfile.TemporaryDirectory(prefix="assetgraph-zip-") as tmp:
        listing = Listing(Path(tmp))
        room = limits.max_archive_size
        for base, info in _choose(zf, limits, wanted, listing).items():
            target = listing.folder / base
            cap = min(limits.max_file_size, room)
            try:
                with zf.open(info) as src, open(target, "xb") as dst:
                    room -= copy_capped(src, dst, cap)
            except OverCap:
                target.unlink(missing_ok=True)
                if cap == room:
                    raise InvalidRecord(
                        f"{archive.name}: {info.filename!r} expands past the per-archive cap of "
                        f"{size_text(limits.max_archive_size)} (raise it with --max-archive-size)") from None
                listing.skipped.append(Skipped(_shown(info.filename), "expands past the per-file cap of "
                                               f"{size_text(limits.max_file_size)} (raise it with --max-file-size)"))
            except _UNREADABLE as exc:
                target.unlink(missing_ok=True)
                listing.skipped.append(Skipped(_shown(info.filename), f"an unreadable member: {exc}"))
            except OSError as exc:  # the temporary folder, not the archive: say where
                raise InvalidRecord(f"{archive.name}: cannot unpack {info.filename!r} into {tmp}: "
                                    f"{exc.strerror or exc}") from None
            else:
                listing.files[base] = target
        yield listing
