"""Files written whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.files import atomic_bytes, atomic_file


def test_a_file_appears_whole(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "table.json"
    atomic_bytes(target, b"{}")
    with atomic_file(target, "w") as stream:
        stream.write("[1, 2]")
        assert target.read_bytes() == b"{}"  # not yet replaced
    assert target.read_text(encoding="utf-8") == "[1, 2]"
    assert [p.name for p in target.parent.iterdir()] == ["table.json"]


def test_an_error_leaves_the_earlier_file_and_no_debris(tmp_path: Path) -> None:
    target = tmp_path / "table.json"
    atomic_bytes(target, b"old")
    with pytest.raises(RuntimeError), atomic_file(target) as stream:
        stream.write(b"half")
        raise RuntimeError("crash midway")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["table.json"]
