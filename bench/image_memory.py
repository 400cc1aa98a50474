"""Peak memory of cover uploads as big as the limits let in, and of hostile ones (issue 19).

    .venv/bin/python bench/image_memory.py [--quick]

Each picture goes through ``episodes.services.images.image_prepare`` (what the editor's "Upload cover" and
the person admin run before anything is written) in a child process of its own; the child's peak resident
memory (VmHWM) is printed beside a floor measured in the same run: the same child (Django set up) reading
the same file without Pillow decoding it. What an upload costs is the peak above that floor: the memory a
server process that is already running takes on for it. The pictures, each at the limits
(EPISODES_IMAGE_MAX_PIXELS, 20 megapixels; EPISODES_IMAGE_MAX_BYTES, 10 MB):

- a photo-like JPEG of 20 MP (decoded in draft mode, at 1/2 to 1/8 of its size);
- an RGB PNG of 20 MP and an RGBA PNG of 15 MP (three quarters: the limit for transparency) that compress
  to almost nothing (the worst ratio of memory to file);
- a WebP of 5 MP (a quarter of the limit: Pillow decodes a WebP through three buffers of it);
- hostile: a PNG claiming 30,000 × 30,000 pixels in a few KB (refused before decoding).
Budget for every accepted file: peak - floor <= 10 x its size + 100 MB; the refused bomb: peak - floor <= 10 MB.
--quick makes the pictures at a quarter of the pixels.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from archive_memory import run_child
from benchsite import ROOT

MB = 1024 * 1024
CHILD = """
import os, sys
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "podcast.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key")
import django
django.setup()
from episodes.documents import images
from episodes.services import ServiceError
from episodes.services.images import image_prepare
mode, path = sys.argv[1], sys.argv[2]
with open(path, "rb") as f:
    if mode == "floor":
        data = images.read_upload(f, name=os.path.basename(path))
        print("read", len(data))
    else:
        try:
            kept = image_prepare(upload=f, kind=images.cover_kind(), name=os.path.basename(path))
            print("kept", len(kept))
        except ServiceError as exc:
            print("refused", exc)
            sys.exit(1)
        except BaseException:
            import traceback
            traceback.print_exc()
            sys.exit(3)  # not a refusal: the bench stops
"""


def pictures(work: Path, scale: float) -> list[tuple[str, Path]]:
    """Write the pictures; return (what, path) for each."""
    from PIL import Image

    sys.path.insert(0, str(ROOT))
    from episodes.tests.support.pictures import png_bomb

    width, height = int(5472 * scale**0.5), int(3648 * scale**0.5)  # a 20-megapixel camera's
    # Photo-like: noise blown up smoothly, so JPEG keeps a realistic few MB.
    noise = Image.frombytes("RGB", (width // 8, height // 8), os.urandom((width // 8) * (height // 8) * 3))
    photo = noise.resize((width, height), Image.Resampling.BICUBIC)
    made = []

    def save(name, image, **options):
        path = work / name
        image.save(path, **options)
        made.append((f"{name} {image.size[0]}x{image.size[1]} {image.mode}", path))

    save("photo.jpg", photo, quality=92)
    del photo
    save("flat.png", Image.new("RGB", (width, height), (40, 90, 160)), optimize=True)
    alpha = (int(width * 0.75**0.5), int(height * 0.75**0.5))
    save("flat-alpha.png", Image.new("RGBA", alpha, (40, 90, 160, 100)), optimize=True)
    webp_width = min(16383, width * height // 4 // 1220)  # a quarter of the pixels: the limit for WebP
    save("wide.webp", Image.new("RGB", (webp_width, 1220), (200, 30, 30)), quality=80)
    bomb = work / "bomb.png"
    bomb.write_bytes(png_bomb())
    made.append(("bomb.png claiming 30000x30000", bomb))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        child = work / "child.py"
        child.write_text(CHILD.format(root=str(ROOT)), encoding="utf-8")
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{work / 'unused.sqlite3'}"}
        failed = False
        print(f"{'picture':44} {'file MB':>8} {'floor MB':>9} {'peak MB':>8} {'above':>6} {'budget':>7}  result")
        for what, path in pictures(work, 0.25 if args.quick else 1.0):
            size = path.stat().st_size
            _, floor, _ = run_child(str(child), "floor", str(path), env=env)
            seconds, peak, status = run_child(str(child), "prepare", str(path), env=env)
            accepted = status == 0
            budget = 10 * size / MB + 100 if accepted else 10
            ok = peak - floor <= budget
            failed |= not ok
            result = ("accepted" if accepted else "refused") + ("" if ok else "  OVER BUDGET")
            print(
                f"{what:44} {size / MB:8.2f} {floor:9.1f} {peak:8.1f} {peak - floor:6.1f} {budget:7.1f}  {result} "
                f"({seconds:.2f} s)"
            )
        sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
