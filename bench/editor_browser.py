#!/usr/bin/env python
"""How the editor feels in a real browser (Debian's Chromium) for 172, ~250 (the largest corpus episode),
344 and 3,440 transcript items.

    .venv/bin/python bench/editor_browser.py [--corpus ../shared/corpus]

Builds a throwaway SQLite database, starts the app with runserver on a free loopback port, logs in and
opens each episode's editor. Printed per page: HTML size, time to the HTML parsed (domInteractive) and to
the load event, the time from a typed character to the next painted frame (the floor of that is one frame,
about 16 ms), selecting a range of 2,000 turns with a shift-click, and two operations from the click to
the changed rows painted, without a navigation: giving 20 selected turns to a speaker, and moving a
section header one turn (median of 5 each). Their floor, measured in the same run, is a round trip of the
page's own fetch to the server for a small static file; the ratio is printed next to each.
Budgets (issue 10): an operation <= 150 ms at ~300 items and <= 400 ms at 3,440; key to frame <= 50 ms and
page interactive <= 1.5 s at 3,440.
"""

from __future__ import annotations

import argparse
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


# Run an operation by clicking ``selector`` and time it until the result is painted; refuse a navigation.
OPERATION = """async (selector) => {
  window.benchPage = window.benchPage || Math.random();
  const mark = window.benchPage;
  const status = document.getElementById('op-status');
  const start = performance.now();
  const done = new Promise(resolve => {
    const watch = new MutationObserver(() => {
      if (status.classList.contains('ok') || status.classList.contains('error')) { watch.disconnect(); resolve(); }
    });
    watch.observe(status, {attributes: true});
  });
  status.className = 'op-status';
  document.querySelector(selector).click();
  await done;
  await new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 0)));
  if (window.benchPage !== mark || !status.classList.contains('ok')) throw new Error(status.textContent);
  return performance.now() - start;
}"""
SELECT_TWENTY = """(who) => {
  const boxes = Array.from(document.querySelectorAll('#transcript-table tbody tr.turn input[name=positions]'));
  boxes.forEach(box => { box.checked = false; });
  boxes.slice(10, 30).forEach(box => { box.checked = true; });
  document.querySelector('.transcript-toolbar input[name=who]').value = who;
}"""
ROUND_TRIP = """async (url) => {
  const start = performance.now();
  await (await fetch(url + '?' + Math.random(), {cache: 'no-store'})).text();
  return performance.now() - start;
}"""


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"bench: no Chromium at {CHROMIUM}")
    largest = _largest_episode(args.corpus)
    from playwright.sync_api import sync_playwright

    workdir = Path(tempfile.mkdtemp(prefix="bench-editor-browser-"))
    # As in production: debugging off, static files collected (hashed names, the editor's modules included).
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="bench-only-secret-key",  # noqa: S106 - a throwaway database
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_STATIC_ROOT=str(workdir / "static"),
        DJANGO_SECURE_COOKIES="0",
    )
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    setup = (
        "from django.contrib.auth import get_user_model\n"
        "from episodes.tests.support.factories import SEED, import_text, repeated_transcript_text\n"
        "seed = SEED.read_text()\n"
        "for r in (1, 2, 20):\n"
        "    import_text(seed if r == 1 else repeated_transcript_text(seed, r), slug=f'seed-x{r}')\n"
        f"largest = {str(largest) if largest else ''!r}\n"
        "if largest:\n"
        "    import_text(open(largest, encoding='utf-8').read(), slug='corpus-largest')\n"
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
            # Nothing leaves the machine: the player's script is refused (the page shows no player then).
            page.route("https://**/*", lambda route: route.abort())
            heads = (
                ("items", 6),
                ("HTML KB", 8),
                ("parsed ms", 10),
                ("loaded ms", 10),
                ("key→frame ms", 13),
                ("range ms", 9),
                ("assign ms", 10),
                ("header ms", 10),
                ("floor ms", 9),
                ("ratios", 12),
            )
            print(f"{'page':<24} " + " ".join(f"{name:>{width}}" for name, width in heads))
            pages = [(1, "seed"), (2, "seed x2"), (3, "seed x20")]
            if largest:
                pages.insert(1, (4, "largest corpus episode"))
            for pk, name in pages:
                page.goto(f"{base}/admin/episodes/episode/{pk}/change/")
                nav = json.loads(page.evaluate("JSON.stringify(performance.getEntriesByType('navigation')[0])"))
                items = page.locator("#transcript-table tbody tr").count()
                area = page.locator("#transcript-table tbody tr.turn textarea").nth(items // 2 - 2)
                area.scroll_into_view_if_needed()
                area.focus()
                latency = page.evaluate(KEY_TO_FRAME)
                selecting = page.evaluate(RANGE_SELECT)
                page.evaluate("document.activeElement.blur()")
                assigning, moving, floor = [], [], []
                header = page.locator("#transcript-table tbody tr.header").nth(1).get_attribute("id")
                stylesheet = page.evaluate("document.querySelector('link[href*=editor]').href")
                for run in range(5):
                    floor.append(page.evaluate(ROUND_TRIP, stylesheet))
                    page.evaluate(SELECT_TWENTY, "Bench A" if run % 2 else "Bench B")
                    assigning.append(page.evaluate(OPERATION, ".transcript-toolbar button[formaction='ops/assign/']"))
                    direction = "down" if run % 2 == 0 else "up"
                    position = int(header.split("-")[1]) + (0 if run % 2 == 0 else 1)
                    selector = f"#item-{position} button[data-op='header-{direction}']"
                    moving.append(page.evaluate(OPERATION, selector))
                a, m, f = median(assigning), median(moving), median(floor)
                print(
                    f"{name:<24} {items:>6} {nav['transferSize'] / 1024:>8.0f} "
                    f"{nav['domInteractive']:>10.0f} {nav['loadEventEnd']:>10.0f} {latency:>13.1f} {selecting:>9.0f} "
                    f"{a:>10.0f} {m:>10.0f} {f:>9.1f} {a / f:>5.1f}x {m / f:>4.1f}x"
                )
            browser.close()
    finally:
        server.terminate()
        server.wait()


def _largest_episode(corpus: Path) -> Path | None:
    """Return the corpus episode with the longest transcript, or None (with a note) without the corpus."""
    if not (corpus / "episodes").is_dir():
        print(f"bench: no corpus at {corpus}; the largest real episode is left out")
        return None
    sys.path.insert(0, str(ROOT))
    from episodes.format import frontmatter as fm  # noqa: PLC0415 - after the project is on the path

    sizes = []
    for path in (corpus / "episodes").glob("*.md"):
        try:
            sizes.append((len(fm.parse(path.read_bytes()).front.get("transcript") or []), path))
        except fm.FormatError:
            continue
    return max(sizes)[1] if sizes else None


if __name__ == "__main__":
    main()
