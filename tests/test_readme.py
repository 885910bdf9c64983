"""The README's generated results blocks equal what the committed results/<name>/results.json gives."""

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tool():
    spec = importlib.util.spec_from_file_location("readme_results", ROOT / "tools" / "readme_results.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_readme_results_blocks_match_results_json():
    tool = _tool()
    text = (ROOT / "README.md").read_text()
    names = [m["name"] for m in tool.BLOCK.finditer(text)]
    assert "python" in names  # the headline experiment is reported
    assert tool.render(text) == text


def test_every_percentage_in_a_block_comes_from_its_results_json():
    import json

    tool = _tool()
    for m in tool.BLOCK.finditer((ROOT / "README.md").read_text()):
        res = json.loads((tool.RESULTS / m["name"] / "results.json").read_text())
        for mode in res["modes"]:
            for method in res["methods"]:
                ov = res["table"][mode][method]["overall"]
                row = re.search(rf"^\| {re.escape(method)} \| (\d+) \| (\d+) \| (.*) \|$",
                                m["body"].split(f"Mode: {mode}")[1], re.M)
                assert row, (m["name"], mode, method)
                assert int(row[2]) == res["table"][mode][method]["n_samples"]
                cells = [c.strip() for c in row[3].split("|")]
                for cell, key in zip(cells, ("secure_pass@1", "spr@1", "func@1", "vulnerable_rate")):
                    v = ov[key]["value"]
                    assert cell == "–" if v is None else abs(float(cell.split(" ")[0]) - 100 * v) < 0.051, key
