"""The web import: upload a file, map its columns to Alianza's, check, then import.

The uploaded file waits between the steps in a private file under VAR_DIR/imports (it holds
personal data, so it is readable by the server only and removed once imported or replaced); the
session keeps only its random name.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alianza.cases.imports import COLUMNS, READERS, cases_import, column_mapping, detect_format
from alianza.core.errors import ApplicationError

_SESSION = "alianza_import"
MAX_UPLOAD = 20 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"), help_text=gettext_lazy("CSV, XLSX or HTCDS JSON, up to 20 MB."))
    format = forms.ChoiceField(
        label=gettext_lazy("Format"), required=False,
        choices=[("", gettext_lazy("Guess from the file name")), ("csv", "CSV"), ("xlsx", "XLSX"), ("htcds", "HTCDS JSON")],
    )


def _imports_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _pending(request: HttpRequest) -> tuple[Path, str, str] | None:
    pending = request.session.get(_SESSION)
    if not pending:
        return None
    path = _imports_dir() / pending["token"]
    return (path, pending["format"], pending["name"]) if path.exists() else None


def _discard(request: HttpRequest) -> None:
    found = _pending(request)
    if found:
        found[0].unlink(missing_ok=True)
    request.session.pop(_SESSION, None)


def import_start(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            form.add_error("file", _("The file is larger than 20 MB; split it or use the command line."))
        else:
            data = upload.read()
            file_format = form.cleaned_data["format"] or detect_format(upload.name)
            try:
                rows = list(READERS[file_format](data))
            except Exception:  # noqa: BLE001 - any parser error means the same thing to the user
                form.add_error("file", _("The file could not be read as %(format)s.") % {"format": file_format})
            else:
                if not rows:
                    form.add_error("file", _("The file has no rows."))
                else:
                    _discard(request)
                    token = secrets.token_hex(16)
                    path = _imports_dir() / token
                    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                    with os.fdopen(fd, "wb") as handle:
                        handle.write(data)
                    request.session[_SESSION] = {"token": token, "format": file_format, "name": upload.name}
                    return redirect("cases:import_map")
    return render(request, "cases/import_start.html", {"form": form})


def import_map(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is None:
        messages.error(request, _("Upload a file first."))
        return redirect("cases:import_start")
    path, file_format, name = pending
    rows = list(READERS[file_format](path.read_bytes()))
    headers = list(rows[0].keys())
    guessed = column_mapping(headers)
    mapping = {h: request.POST.get(f"map-{i}", guessed.get(h, "")) for i, h in enumerate(headers)}
    report = None
    if request.method == "POST":
        chosen = {h: target for h, target in mapping.items() if target in COLUMNS}
        action = request.POST.get("action", "check")
        valid_only = request.POST.get("valid_only") == "on"
        try:
            report = cases_import(
                acting_user=request.user, rows=rows, mapping=chosen, valid_only=valid_only, dry_run=action != "import"
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            if action == "import" and report.committed:
                _discard(request)
                messages.success(
                    request,
                    _("%(created)d cases imported; %(skipped)d had been imported before; %(invalid)d rows were invalid.")
                    % {"created": report.created, "skipped": report.skipped, "invalid": len(report.invalid_rows)},
                )
                return redirect("cases:case_list")
            if action == "import":
                messages.error(request, _("Nothing was imported because some rows are invalid. Fix them, or import the valid rows only."))
    columns: list[dict[str, Any]] = [
        {"index": i, "header": h, "target": mapping[h], "sample": [r.get(h, "") for r in rows[:3]]}
        for i, h in enumerate(headers)
    ]
    return render(
        request, "cases/import_map.html",
        {"name": name, "row_count": len(rows), "columns": columns, "targets": COLUMNS, "report": report,
         "valid_only": request.POST.get("valid_only") == "on"},
    )
