"""`alianza link` and `alianza pprl` from the command line (no database needed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from alianza.linkage.engine import CANONICAL_COLUMNS

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def files(tmp_path_factory, dedupe_records, match_tables):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("link")
    dedupe_records.loc[:, list(CANONICAL_COLUMNS)].to_csv(folder / "people.csv", index=False)
    left, right = match_tables
    left.loc[:, list(CANONICAL_COLUMNS)].to_csv(folder / "left.csv", index=False)
    right.loc[:, list(CANONICAL_COLUMNS)].to_csv(folder / "right.csv", index=False)
    return folder


def test_dedupe_writes_clusters_model_and_explanation(files: Path) -> None:
    out = files / "clusters.csv"
    call_command(
        "link", "dedupe", str(files / "people.csv"), "--out", str(out), "--explain", "--no-progress"
    )
    clusters = pd.read_csv(out, dtype=str)
    people = pd.read_csv(files / "people.csv", dtype=str)
    assert list(clusters.columns) == ["record_id", "cluster_id"]
    assert sorted(clusters["record_id"]) == sorted(people["record_id"])
    model = json.loads((files / "clusters.model.json").read_text())
    assert model["format"] == "alianza.linkage.model"
    explanation = pd.read_csv(files / "clusters.explain.csv")
    assert {"left_id", "right_id", "surnames", "given_names", "birth_date", "document"} <= set(
        explanation.columns
    )


def test_match_writes_pairs_and_a_saved_model_reproduces_them(files: Path) -> None:
    out = files / "pairs.csv"
    args = [str(files / "left.csv"), str(files / "right.csv")]
    call_command("link", "match", *args, "--out", str(out), "--no-progress")
    pairs = pd.read_csv(out, dtype=str)
    assert list(pairs.columns) == ["left_id", "right_id", "match_probability"]
    assert len(pairs) > 100
    again = files / "again.csv"
    call_command(
        "link",
        "match",
        *args,
        "--out",
        str(again),
        "--model",
        str(files / "pairs.model.json"),
        "--no-progress",
    )
    pd.testing.assert_frame_equal(pd.read_csv(again, dtype=str), pairs)  # same pairs, same order


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"record_id,given_names\n1,Ana\n", "lacks the column"),
        (
            (",".join(CANONICAL_COLUMNS) + "\n1,Mar\xeda" + "," * 8 + "\n").encode("latin-1"),
            "UTF-8",
        ),
    ],
)
def test_bad_input_is_a_command_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command(
            "link", "dedupe", str(path), "--out", str(tmp_path / "out.csv"), "--no-progress"
        )
    assert not (tmp_path / "out.csv").exists()


def test_the_cli_exits_non_zero_with_the_message_on_stderr(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(b"")
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "link",
            "dedupe",
            str(path),
            "--out",
            str(tmp_path / "o.csv"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    assert run.returncode != 0
    assert "empty" in run.stderr
    assert "Traceback" not in run.stderr


def test_explain_subcommand_reports_one_pair(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = files / "clusters2.csv"
    call_command(
        "link", "dedupe", str(files / "people.csv"), "--out", str(out), "--explain", "--no-progress"
    )
    first = pd.read_csv(files / "clusters2.explain.csv", dtype=str).iloc[0]
    capsys.readouterr()
    call_command(
        "link", "explain", "--model", str(files / "clusters2.model.json"), str(files / "people.csv"),
        "--pair", first["left_id"], first["right_id"],
    )  # fmt: skip
    shown = json.loads(capsys.readouterr().out)
    assert shown["left_id"] == first["left_id"]
    assert shown["match_probability"] == pytest.approx(float(first["match_probability"]), abs=1e-4)
