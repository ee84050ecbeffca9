"""`alianza link`: deduplicate or match canonical person-record CSV files.

    alianza link dedupe INPUT.csv --out CLUSTERS.csv [--explain [PATH]] [--model M.json]
    alianza link match LEFT.csv RIGHT.csv --out PAIRS.csv [--explain [PATH]] [--model M.json]
    alianza link explain --model M.json INPUT.csv [RIGHT.csv] --pair LEFT_ID RIGHT_ID

The command only parses arguments, calls `alianza.linkage.engine` and reports errors; the
trained model is written beside the output (`CLUSTERS.model.json`) so that every result can be
explained later with `link explain`.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from alianza.linkage.engine import (
    DEFAULT_THRESHOLD,
    LinkageError,
    LinkageModel,
    dedupe,
    explain_pair,
    match,
    read_person_csv,
)
from alianza.linkage.engine.backends import ENGINES
from alianza.linkage.management.commands._common import StageProgress, sibling, write_csv

_STAGES = ["reading", "normalising records", "estimating the model on this data",
           "blocking and scoring pairs", "clustering", "writing"]  # fmt: skip


def probability(text: str) -> float:
    """An argparse type: a number strictly between 0 and 1."""
    value = float(text)
    if not 0.0 < value < 1.0:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    # Linkage reads files and writes files; it needs neither the database nor the URL
    # configuration, so the system checks would only slow it down.
    requires_system_checks: list[str] = []
    help = "Deduplicate or match person records (canonical person-record CSV)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        def common(sub: ArgumentParser) -> None:
            sub.add_argument("--out", required=True, help="output CSV file, or - for stdout")
            sub.add_argument(
                "--explain",
                nargs="?",
                const="",
                default=None,
                metavar="PATH",
                help="also write each pair's per-field contributions to the match weight "
                "(default path: OUT.explain.csv)",
            )
            sub.add_argument(
                "--model",
                help="apply this saved model (MODEL.json) as is instead of estimating one",
            )
            sub.add_argument(
                "--threshold",
                type=probability,
                default=None,
                help=f"match probability at or above which a pair is a match "
                f"(default {DEFAULT_THRESHOLD}, or the saved model's)",
            )
            sub.add_argument("--engine", choices=ENGINES, default="duckdb")
            sub.add_argument("--no-progress", action="store_true", help="hide the progress bar")

        dedupe_parser = actions.add_parser(
            "dedupe", help="group the records of one file into persons (record_id,cluster_id)"
        )
        dedupe_parser.add_argument("input", help="person-record CSV, or - for stdin")
        common(dedupe_parser)

        match_parser = actions.add_parser(
            "match", help="find the same persons in two files (left_id,right_id,match_probability)"
        )
        match_parser.add_argument("left")
        match_parser.add_argument("right")
        common(match_parser)

        explain_parser = actions.add_parser(
            "explain", help="show each field's contribution for one pair under a saved model"
        )
        explain_parser.add_argument("--model", required=True)
        explain_parser.add_argument("inputs", nargs="+", metavar="INPUT")
        explain_parser.add_argument(
            "--pair", nargs=2, required=True, metavar=("LEFT_ID", "RIGHT_ID")
        )
        explain_parser.add_argument("--engine", choices=ENGINES, default="duckdb")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "explain":
                self._explain(options)
            else:
                self._link(options)
        except LinkageError as exc:
            raise CommandError(exc.message) from None

    def _link(self, options: dict[str, Any]) -> None:
        progress = StageProgress(_STAGES, enabled=not options["no_progress"])
        try:
            progress("reading")
            model = LinkageModel.load(options["model"]) if options["model"] else None
            run: dict[str, Any] = {
                "model": model,
                "train": model is None,
                "engine": options["engine"],
                "threshold": options["threshold"],
                "explain": options["explain"] is not None,
                "progress": progress,
            }
            if options["action"] == "dedupe":
                records = read_person_csv(options["input"])
                result = dedupe(records, **run)
                assert result.clusters is not None
                output = result.clusters
                summary = (
                    f"{len(records)} records, {output['cluster_id'].nunique()} persons, "
                    f"{len(result.pairs)} matching pairs"
                )
            else:
                left = read_person_csv(options["left"], label="left")
                right = read_person_csv(options["right"], label="right")
                result = match(left, right, **run)
                output = result.pairs
                summary = f"{len(left)} × {len(right)} records, {len(output)} matching pairs"
            progress("writing")
            out = options["out"]
            write_csv(output, out)
            if out != "-":
                model_path = sibling(out, ".model.json")
                result.model.save(model_path)
            if result.explanation is not None:
                explain_path = options["explain"] or (
                    str(sibling(out, ".explain.csv")) if out != "-" else ""
                )
                if not explain_path:
                    raise CommandError("With --out -, give --explain a file path.")
                write_csv(result.explanation, explain_path)
        finally:
            progress.close()
        self.stderr.write(summary)

    def _explain(self, options: dict[str, Any]) -> None:
        model = LinkageModel.load(options["model"])
        inputs = options["inputs"]
        if len(inputs) > 2:
            raise CommandError("Give one input file (dedupe) or two (match).")
        labels = ["input"] if len(inputs) == 1 else ["left", "right"]
        tables = [read_person_csv(p, label=lab) for p, lab in zip(inputs, labels, strict=True)]
        left_id, right_id = options["pair"]
        explanation = explain_pair(
            model, tables, left_id=left_id, right_id=right_id, engine=options["engine"]
        )
        json.dump(explanation, sys.stdout, indent=2)
        sys.stdout.write("\n")
