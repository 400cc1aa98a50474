#!/usr/bin/env python
"""How the editor feels in a real browser (Debian's Chromium) for 172, 344 and 3,440 transcript items.

    .venv/bin/python bench/editor_browser.py

Builds a throwaway SQLite database, starts the app with runserver on a free loopback port, logs in and
opens each episode's editor. Printed per page: HTML size, time to the HTML parsed (domInteractive) and to
the load event, the time from a typed character to the next painted frame (the floor of that is one frame,
about 16 ms), and selecting a range of 2,000 turns with a shift-click.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
KEY_TO_FRAME = """() => new Promise(resolve => {
  const area = document.activeElement; const times = []; let n = 0;
  function one() {
    const start = performance.now();
    area.value += 'x'; area.dispatchEvent(new Event('input', {bubbles: true}));
    requestAnimationFrame(() => setTimeout(() => {
      times.push(performance.now() - start);
      if (++n < 30) one(); else resolve(times.sort((a, b) => a - b)[15]);
    }, 0));
  }
  one();
})"""
RANGE_SELECT = """() => {
  const boxes = document.querySelectorAll('#transcript-table tbody input[type=checkbox]');
  const start = performance.now();
  boxes[0].click();
  boxes[Math.min(2000, boxes.length - 1)].dispatchEvent(new MouseEvent('click', {shiftKey: true, bubbles: true}));
  document.body.offsetHeight;
  return performance.now() - start;
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    if not Path(CHROMIUM).exists():
        sys.exit(f"bench: no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    workdir = Path(tempfile.mkdtemp(prefix="bench-editor-browser-"))
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}", DJANGO_DEBUG="1")
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    setup = (
        "from django.contrib.auth import get_user_model\n"
        "from episodes.tests.factories import SEED, import_text, repeated_transcript_text\n"
        "seed = SEED.read_text()\n"
        "for r in (1, 2, 20):\n"
        "    import_text(seed if r == 1 else repeated_transcript_text(seed, r), slug=f'seed-x{r}')\n"
        "get_user_model().objects.create_superuser('bench', 'b@example.com', 'bench-password')\n"
    )
    subprocess.run([python, "manage.py", "shell", "-c", setup], cwd=ROOT, env=env, check=True)
    port = free_port()
    server = subprocess.Popen(
        [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*args, "--no-first-run"])
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.goto(base + "/admin/login/")
            page.fill("#id_username", "bench")
            page.fill("#id_password", "bench-password")
            page.click("input[type=submit]")
            heads = (
                ("items", 6),
                ("HTML KB", 8),
                ("parsed ms", 10),
                ("loaded ms", 10),
                ("key→frame ms", 13),
                ("range ms", 9),
            )
            print(f"{'page':<22} " + " ".join(f"{name:>{width}}" for name, width in heads))
            for pk, repeat in ((1, 1), (2, 2), (3, 20)):
                page.goto(f"{base}/admin/episodes/episode/{pk}/change/")
                nav = json.loads(page.evaluate("JSON.stringify(performance.getEntriesByType('navigation')[0])"))
                items = page.locator("#transcript-table tbody tr").count()
                area = page.locator("#transcript-table tbody tr.turn textarea").nth(items // 2 - 2)
                area.scroll_into_view_if_needed()
                area.focus()
                latency = page.evaluate(KEY_TO_FRAME)
                selecting = page.evaluate(RANGE_SELECT)
                print(
                    f"{'editor, seed x' + str(repeat):<22} {items:>6} {nav['transferSize'] / 1024:>8.0f} "
                    f"{nav['domInteractive']:>10.0f} {nav['loadEventEnd']:>10.0f} {latency:>13.1f} {selecting:>9.0f}"
                )
            browser.close()
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
