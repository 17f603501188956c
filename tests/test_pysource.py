"""parse_python: CPython 3.11's spurious AST SystemError (gh-106905) is retried, others not."""

from __future__ import annotations

import ast

import pytest

from newsarchive import pysource


def flaky_parse(failures: int, message: str):  # type: ignore[no-untyped-def]
    real = ast.parse
    calls = {"n": 0}

    def parse(source: str, filename: str = "<unknown>") -> ast.Module:
        calls["n"] += 1
        if calls["n"] <= failures:
            raise SystemError(message)
        return real(source, filename)

    return parse, calls


def test_a_spurious_recursion_depth_mismatch_is_parsed_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parse, calls = flaky_parse(1, "AST constructor recursion depth mismatch (before=90, after=65)")
    monkeypatch.setattr(pysource.ast, "parse", parse)
    tree = pysource.parse_python("x = 1\n")
    assert isinstance(tree.body[0], ast.Assign) and calls["n"] == 2


def test_other_system_errors_and_a_lasting_mismatch_are_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parse, calls = flaky_parse(1, "something else broke")
    monkeypatch.setattr(pysource.ast, "parse", parse)
    with pytest.raises(SystemError, match="something else"):
        pysource.parse_python("x = 1\n")
    assert calls["n"] == 1
    parse, calls = flaky_parse(99, "AST constructor recursion depth mismatch")
    monkeypatch.setattr(pysource.ast, "parse", parse)
    with pytest.raises(SystemError):
        pysource.parse_python("x = 1\n")
    assert calls["n"] == 3


def test_syntax_errors_are_not_hidden() -> None:
    with pytest.raises(SyntaxError):
        pysource.parse_python("def (:\n")
