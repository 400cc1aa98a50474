"""Pictures made on the spot with Pillow, for the cover and picture uploads: good ones and hostile ones."""

from __future__ import annotations

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>'
SVG_SCRIPT = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'


def image_bytes(size=(1600, 900), *, fmt="JPEG", mode="RGB", color=(200, 30, 30)) -> bytes:
    """Return an image of ``size`` in ``fmt``: a colour field with a darker band, so crops can be told apart."""
    fill = (*color, 128) if mode == "RGBA" else color
    image = Image.new(mode, size, fill)
    dark = fill // 4 if isinstance(fill, int) else tuple(c // 4 for c in fill)
    image.paste(dark, (0, 0, max(1, size[0] // 10), size[1]))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def upload(data: bytes, name: str = "cover.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_bomb(width: int = 30000, height: int = 30000, *, alpha: bool = False) -> bytes:
    """Return a small PNG that claims ``width`` × ``height`` pixels (a few KB that would decode to GBs):
    1-bit grey, or with ``alpha`` 8-bit RGBA."""
    raw = zlib.compress(b"\x00" * (width // 8 + 1) * 64, 9)  # only the first rows: never decoded anyway

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, *((8, 6) if alpha else (1, 0)), 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
