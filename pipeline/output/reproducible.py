"""LibreOffice's PDFs made byte-for-byte reproducible: the same DOCX gives the same PDF.

LibreOffice 7.4 writes three things that change from one conversion to the next:
- the creation date (``/CreationDate`` of the document information);
- the file identifier (``/ID``) and ``/DocChecksum`` in the trailer, from the time;
- the ``/UniqueID`` of every embedded font: it converts each CFF face (Noto CJK, Fandol) to a
  Type 1 subset numbered from a counter that runs for the life of the instance (4100001, 4100002,
  …), so the number depends on what the warm instance converted before. The number sits both in
  the font's clear-text part and in its eexec-encrypted part, where changing it changes every
  encrypted byte after it.

`normalise` gives each font the number a fresh instance would give it (4100001 for the PDF's
first font, and so on), re-encrypts what follows, sets the creation date to a fixed stamp and
derives the identifier from the content. The objects are rewritten in their order with a new
cross-reference table; nothing else changes. A file of another shape (object streams, a second
revision) is returned as it was.

The eexec cipher runs over every byte of a font (~50 MB a month): a small C routine does it,
compiled once into the user's cache folder with the system's C compiler and loaded with ctypes;
without a compiler, the same loop runs in Python (about 100 ns a byte).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import re
import subprocess
import tempfile
import zlib
from functools import lru_cache
from pathlib import Path

EEXEC_KEY = 55665
UNIQUE_BASE = 4100000  # LibreOffice's own range (cff.cxx: "LOCAL UNIQUE ID range")

_C_SOURCE = r"""
#include <stddef.h>
unsigned eexec_decrypt(const unsigned char *in, unsigned char *out, size_t n, unsigned r) {
    for (size_t i = 0; i < n; i++) { unsigned c = in[i]; out[i] = (unsigned char)(c ^ (r >> 8)); r = ((c + r) * 52845u + 22719u) & 0xFFFFu; }
    return r;
}
unsigned eexec_encrypt(const unsigned char *in, unsigned char *out, size_t n, unsigned r) {
    for (size_t i = 0; i < n; i++) { unsigned c = (in[i] ^ (r >> 8)) & 0xFFu; out[i] = (unsigned char)c; r = ((c + r) * 52845u + 22719u) & 0xFFFFu; }
    return r;
}
"""


@lru_cache(maxsize=1)
def _native():
    """The C routines (ctypes), or None where no C compiler is found, or the user's cache folder is
    not the user's alone (the library is loaded, so it runs: pipeline/private.py)."""
    from ..private import private_cache

    base = private_cache("native")
    if base is None:
        return None
    lib = base / f"eexec-{hashlib.sha256(_C_SOURCE.encode()).hexdigest()[:12]}.so"
    try:
        if not lib.exists():
            with tempfile.TemporaryDirectory(dir=base) as tmp:
                src = Path(tmp) / "eexec.c"
                src.write_text(_C_SOURCE)
                built = Path(tmp) / "eexec.so"
                done = subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", str(built), str(src)],
                                      capture_output=True, timeout=60)
                if done.returncode != 0:
                    return None
                os.replace(built, lib)
        so = ctypes.CDLL(str(lib))
    except (OSError, subprocess.SubprocessError):
        return None
    for name in ("eexec_decrypt", "eexec_encrypt"):
        fn = getattr(so, name)
        fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint]
        fn.restype = ctypes.c_uint
    return so


def _cipher(data: bytes, r: int, encrypt: bool) -> tuple[bytes, int]:
    """(the bytes en- or decrypted from state r, the state after them)."""
    so = _native()
    if so is not None:
        out = ctypes.create_string_buffer(len(data))
        r = (so.eexec_encrypt if encrypt else so.eexec_decrypt)(data, out, len(data), r)
        return out.raw, r
    buf = bytearray(len(data))
    for i, b in enumerate(data):
        c = b ^ (r >> 8) if encrypt else b
        buf[i] = c if encrypt else b ^ (r >> 8)
        r = ((c + r) * 52845 + 22719) & 0xFFFF
    return bytes(buf), r


_UNIQUE = re.compile(rb"/UniqueID (\d+)")


def _type1(program: bytes, clear_len: int, crypt_len: int, unique: int) -> tuple[bytes, int, int]:
    """A Type 1 font program with its UniqueID set (clear text and encrypted part):
    (program, new clear-text length, new encrypted length)."""
    clear, crypt, rest = program[:clear_len], program[clear_len:clear_len + crypt_len], program[clear_len + crypt_len:]
    number = b"%d" % unique
    clear = _UNIQUE.sub(b"/UniqueID " + number, clear, count=1)
    plain, _ = _cipher(crypt, EEXEC_KEY, encrypt=False)
    m = _UNIQUE.search(plain)
    if m is not None and m.group(1) != number:
        start = m.start(1)
        head, r = _cipher(crypt[:start], EEXEC_KEY, encrypt=False)  # the state where the number begins
        tail, _ = _cipher(number + plain[m.end(1):], r, encrypt=True)
        crypt = crypt[:start] + tail
    return clear + crypt + rest, len(clear), len(crypt)


_OBJ = re.compile(rb"(\d+) 0 obj\s*")
_STREAM_DICT = re.compile(rb"<<(.*?)>>\s*stream\r?\n", re.S)


def normalise(data: bytes, stamp: str | None = None) -> bytes:
    """The PDF with fixed font numbers, creation date `stamp` (a PDF date such as
    "D:20261128000000+08'00'", or left as it is when None) and an identifier from its content."""
    try:
        return _normalise(data, stamp)
    except (ValueError, IndexError, KeyError, zlib.error):
        return data  # not the shape LibreOffice writes: left alone


class Parsed:
    """A PDF of the plain shape LibreOffice writes (one revision, a cross-reference table, no object
    streams), split into its objects: each `N 0 obj … endobj` as written, in file order."""

    def __init__(self, data: bytes):
        if data.count(b"startxref") != 1 or b"/ObjStm" in data or b"/XRefStm" in data:
            raise ValueError("not a plain PDF")
        self.xref_at = int(data[data.rindex(b"startxref") + 9:].split()[0])
        if not data.startswith(b"xref", self.xref_at):
            raise ValueError("no cross-reference table")
        self.trailer_at = data.index(b"trailer", self.xref_at)
        lines = data[self.xref_at:self.trailer_at].split(b"\n")[1:]
        first, count = (int(x) for x in lines[0].split())
        self.offsets: dict[int, int] = {}
        for i, line in enumerate(lines[1:1 + count]):
            parts = line.split()
            if len(parts) >= 3 and parts[2] == b"n":
                self.offsets[first + i] = int(parts[0])
        self.order = sorted(self.offsets, key=self.offsets.get)
        bounds = [self.offsets[n] for n in self.order] + [self.xref_at]
        self.objects = {n: data[bounds[i]:bounds[i + 1]] for i, n in enumerate(self.order)}
        self.trailer = data[self.trailer_at:data.rindex(b"startxref")]


def _normalise(data: bytes, stamp: str | None) -> bytes:
    try:
        parsed = Parsed(data)
    except ValueError:
        return data
    offsets, order, objects = parsed.offsets, parsed.order, parsed.objects
    trailer_at = parsed.trailer_at
    header_end = offsets[order[0]]

    lengths: dict[int, int] = {}  # indirect /Length objects to rewrite
    font_no = 0
    for n in order:
        obj = objects[n]
        if b"/Length1" not in obj[:300] or b"/Length2" not in obj[:300]:
            continue
        m = _STREAM_DICT.search(obj)
        if m is None:
            continue
        head = m.group(1)
        length_ref = re.search(rb"/Length (\d+) 0 R", head)
        length = int(objects[int(length_ref.group(1))].split(b"obj", 1)[1].split(b"endobj")[0]) if length_ref else \
            int(re.search(rb"/Length (\d+)", head).group(1))
        raw = obj[m.end():m.end() + length]
        flate = b"/FlateDecode" in head
        program = zlib.decompress(raw) if flate else raw
        l1 = int(re.search(rb"/Length1 (\d+)", head).group(1))
        l2 = int(re.search(rb"/Length2 (\d+)", head).group(1))
        font_no += 1
        program, l1, l2 = _type1(program, l1, l2, UNIQUE_BASE + font_no)
        new_raw = zlib.compress(program, 1) if flate else program
        head = re.sub(rb"/Length1 \d+", b"/Length1 %d" % l1, head)
        head = re.sub(rb"/Length2 \d+", b"/Length2 %d" % l2, head)
        if length_ref:
            lengths[int(length_ref.group(1))] = len(new_raw)
        else:
            head = re.sub(rb"/Length \d+", b"/Length %d" % len(new_raw), head)
        objects[n] = obj[:m.start()] + b"<<" + head + b">>\nstream\n" + new_raw + obj[m.end() + length:]
    for n, value in lengths.items():
        objects[n] = b"%d 0 obj\n%d\nendobj\n\n" % (n, value)
    if stamp is not None:
        for n in order:
            if b"/CreationDate" in objects[n]:
                objects[n] = re.sub(rb"/CreationDate\s*\((?:\\.|[^\\)])*\)", b"/CreationDate(" + stamp.encode("latin-1") + b")",
                                    objects[n])
    out = bytearray(data[:header_end])
    new_offsets = {}
    for n in order:
        new_offsets[n] = len(out)
        out += objects[n]
    digest = hashlib.md5(bytes(out)).hexdigest().upper().encode()
    xref = len(out)
    size = max(offsets) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for n in range(1, size):
        out += b"%010d 00000 n \n" % new_offsets[n] if n in new_offsets else b"0000000000 65535 f \n"
    trailer = data[trailer_at:data.rindex(b"startxref")]
    trailer = re.sub(rb"/ID\s*\[\s*<[0-9A-Fa-f]*>\s*<[0-9A-Fa-f]*>\s*\]", b"/ID [ <" + digest + b">\n<" + digest + b"> ]", trailer)
    trailer = re.sub(rb"/DocChecksum\s*/[0-9A-Fa-f]+", b"/DocChecksum /" + digest, trailer)
    out += trailer + b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def normalise_file(path: Path, stamp: str | None = None) -> None:
    """Normalise a PDF in place (written beside and moved, so it is whole or as it was)."""
    data = path.read_bytes()
    new = normalise(data, stamp)
    if new != data:
        part = path.with_name(path.name + ".norm")
        part.write_bytes(new)
        os.replace(part, path)


def pdf_date(day) -> str:
    """A PDF date for a calendar date: midnight, Beijing time."""
    return f"D:{day:%Y%m%d}000000+08'00'"
