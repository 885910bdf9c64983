"""Picture of one TSP tree from the tree viewer (the README's docs/tree.png).

    python tools/tree_png.py runs/experiments/python/runs/tsp-s0/round-1/trees.jsonl docs/tree.png [--task ID]

Picks the tree the report's example trees put first (sectree.tree.view.interest) unless --task names one, renders it
with sectree's viewer (``sectree trees show``) and screenshots the page with headless Chromium (Debian's
``chromium`` package; not needed by anything else in sectree).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trees")
    ap.add_argument("png")
    ap.add_argument("--task", default=None)
    ap.add_argument("--width", type=int, default=1000)
    ap.add_argument("--height", type=int, default=1250)
    a = ap.parse_args(argv)
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("error: chromium not found (apt-get install chromium)", file=sys.stderr)
        return 2
    from sectree.tree.model import load_trees
    from sectree.tree.view import interest, render_html

    trees = load_trees(a.trees)
    if a.task:
        trees = [t for t in trees if t.task_id == a.task]
        if not trees:
            print(f"error: {a.trees}: no tree for task {a.task}", file=sys.stderr)
            return 2

    tree = sorted(trees, key=interest)[0]
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "tree.html"
        page.write_text(render_html([tree], title=f"{tree.task_id} ({Path(a.trees).parent.parent.name})"))
        shot = Path(tmp) / "shot.png"
        r = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                            "--disable-background-networking", "--disable-component-update", "--disable-sync",
                            f"--user-data-dir={tmp}/profile", "--hide-scrollbars",
                            f"--window-size={a.width},{a.height}", f"--screenshot={shot}", page.as_uri()],
                           capture_output=True, text=True, timeout=120, check=False)
        if r.returncode != 0 or not shot.is_file():
            print(f"error: chromium failed: {r.stderr.strip()[-500:]}", file=sys.stderr)
            return 2
        Path(a.png).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, a.png)
    print(f"{a.png}: tree {tree.task_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
