"""bench/outputs.py: a change that alters any field of any page's record is reported."""

from __future__ import annotations

import gzip
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _load_outputs():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        spec = importlib.util.spec_from_file_location(
            "bench_outputs", ROOT / "bench" / "outputs.py"
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return module


outputs = _load_outputs()

PAGE = """<html lang="en"><head><title>{title}</title></head><body><article>
<h1>{title}</h1><p>{text}</p><p>A second paragraph of the article, long enough to be text.</p>
</article></body></html>"""


def _set(root: Path, title: str) -> Path:
    """A one-page benchmark set in the layout of ../shared/bench (truth.jsonl + pages/)."""
    (root / "pages").mkdir(parents=True)
    row = {"id": "page-1", "url": "https://news.example/a/1", "headline": title}
    (root / "truth.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    text = "The council voted on Tuesday to keep the old bridge open for another year."
    html = PAGE.format(title=title, text=text).encode("utf-8")
    (root / "pages" / "page-1.html.gz").write_bytes(gzip.compress(html))
    return root


def test_check_passes_on_the_same_output_and_names_the_changed_field(tmp_path, capsys) -> None:
    saved = tmp_path / "hashes.json"
    same = _set(tmp_path / "a" / "set", "Bridge stays open")
    assert outputs.main([str(same), "--save", str(saved)]) == 0
    assert outputs.main([str(same), "--check", str(saved)]) == 0
    changed = _set(tmp_path / "b" / "set", "Bridge closes")
    capsys.readouterr()
    assert outputs.main([str(changed), "--check", str(saved)]) == 1
    report = capsys.readouterr().out
    assert "set/page-1: " in report and "headline" in report
    assert "article_body" not in report.split("set/page-1: ")[1].splitlines()[0]
