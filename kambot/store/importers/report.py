"""What an import did: counts, issues (row, source column, value, reason), timings.

The report is data; rendering it is the edge's job (CLI table, API JSON). It offers
:meth:`ImportReport.summary_lines` in French and English for plain-text edges.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

#: How many issues a report keeps in full; the counts cover all of them.
MAX_ISSUES = 200

IssueCode = Literal[
    "missing_column",
    "missing_value",
    "invalid_value",
    "out_of_range",
    "not_allowed",
    "invalid_length",
    "duplicate_id",
    "unknown_reference",
    "extra_cells",
    "write_failed",
]

_CODE_LABELS: dict[str, tuple[str, str]] = {
    # code: (English, French)
    "missing_column": ("missing column", "colonne manquante"),
    "missing_value": ("missing value", "valeur manquante"),
    "invalid_value": ("invalid value", "valeur invalide"),
    "out_of_range": ("value out of range", "valeur hors limites"),
    "not_allowed": ("value not allowed", "valeur non autorisée"),
    "invalid_length": ("text too short or too long", "texte trop court ou trop long"),
    "duplicate_id": ("duplicate id in the file", "identifiant en double dans le fichier"),
    "unknown_reference": ("unknown reference", "référence inconnue"),
    "extra_cells": ("more cells than columns", "plus de cellules que de colonnes"),
    "write_failed": ("refused by the database", "refusé par la base de données"),
}


class ImportIssue(BaseModel):
    """One problem with one row (or with the header, then ``row`` is the header row)."""

    row: int | None = Field(description="row number as a spreadsheet shows it; header = 1")
    column: str | None = Field(description="the column of the SOURCE file")
    value: str | None = None
    reason: str
    code: IssueCode = "invalid_value"
    related_rows: list[int] = Field(default_factory=list)

    def describe(self, lang: Literal["fr", "en"] = "en") -> str:
        """Return the issue as one line: where, which column, which value, why."""
        row_word, col_word = ("ligne", "colonne") if lang == "fr" else ("row", "column")
        where = [f"{row_word} {self.row}"] if self.row is not None else []
        if self.column:
            where.append(f"{col_word} {self.column!r}")
        value = f" = {self.value!r}" if self.value is not None else ""
        head = ", ".join(where)
        return f"{head}{value}: {self.reason}" if head else f"{self.reason}{value}"


class ImportReport(BaseModel):
    """The outcome of importing one file."""

    file: str
    entity: str
    mapping: str = "native"
    format: str = "csv"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sha256: str = ""
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    skipped: dict[str, int] = Field(default_factory=dict, description="skip reason -> rows")
    issues: list[ImportIssue] = Field(default_factory=list, description="the first issues")
    issue_counts: dict[str, int] = Field(default_factory=dict, description="code -> issues")
    issues_total: int = 0
    accounts_created: int = 0
    flagged_rows: int = Field(default=0, description="rows whose free text has injection markers")
    inserted: int = 0
    updated: int = 0
    unchanged: int = Field(default=0, description="rows already in the database as given")
    dry_run: bool = False
    status: Literal["imported", "dry_run", "rejected"] = "imported"
    started_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    duration_s: float = 0.0
    notes: list[str] = Field(default_factory=list)

    def add_issue(self, issue: ImportIssue) -> None:
        """Record an issue: kept in full up to MAX_ISSUES, always counted."""
        self.issues_total += 1
        self.issue_counts[issue.code] = self.issue_counts.get(issue.code, 0) + 1
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(issue)

    def add_skip(self, reason: str) -> None:
        """Count a row skipped by a mapping rule."""
        self.rows_skipped += 1
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    @property
    def rejected(self) -> bool:
        """Tell whether the import was refused."""
        return self.issues_total > 0

    def summary_lines(self, lang: Literal["fr", "en"] = "en") -> list[str]:
        """Return a short plain-text summary, in French or English.

        Args:
            lang: ``fr`` or ``en``.

        Returns:
            Lines: the outcome, the counts, skip reasons, issue counts and the first
            issues, and any notes (encoding fallback...).
        """
        fr = lang == "fr"
        lines: list[str] = []
        if self.status == "rejected":
            lines.append(
                f"Import refusé : {self.file} ({self.entity}), rien n'a été écrit"
                if fr
                else f"Import refused: {self.file} ({self.entity}), nothing was written"
            )
        elif self.status == "dry_run":
            lines.append(
                f"Essai à blanc : {self.file} ({self.entity}), rien n'a été écrit"
                if fr
                else f"Dry run: {self.file} ({self.entity}), nothing was written"
            )
        else:
            lines.append(
                f"Import terminé : {self.file} ({self.entity})"
                if fr
                else f"Import done: {self.file} ({self.entity})"
            )
        if fr:
            lines.append(
                f"Lignes lues : {self.rows_read} ; acceptées : {self.rows_accepted} ; "
                f"rejetées : {self.rows_rejected} ; ignorées : {self.rows_skipped}"
            )
        else:
            lines.append(
                f"Rows read: {self.rows_read}; accepted: {self.rows_accepted}; "
                f"rejected: {self.rows_rejected}; skipped: {self.rows_skipped}"
            )
        if self.status == "imported":
            lines.append(
                f"Créées : {self.inserted} ; mises à jour : {self.updated} ; "
                f"inchangées : {self.unchanged}"
                if fr
                else f"Inserted: {self.inserted}; updated: {self.updated}; "
                f"unchanged: {self.unchanged}"
            )
        if self.accounts_created:
            lines.append(
                f"Comptes créés d'après les références : {self.accounts_created}"
                if fr
                else f"Accounts created from references: {self.accounts_created}"
            )
        if self.flagged_rows:
            lines.append(
                f"Textes signalés (marqueurs d'injection) : {self.flagged_rows}, conservés "
                "comme données"
                if fr
                else f"Texts flagged (injection markers): {self.flagged_rows}, kept as data"
            )
        skipped_word, colon = ("ignorées", " :") if fr else ("skipped", ":")
        for reason, count in sorted(self.skipped.items(), key=lambda kv: -kv[1]):
            lines.append(f"  {skipped_word} ({reason}){colon} {count}")
        if self.issues_total:
            counts = Counter(self.issue_counts)
            listed = ", ".join(
                f"{_CODE_LABELS.get(code, (code, code))[1 if fr else 0]} ×{n}"
                for code, n in counts.most_common()
            )
            lines.append(
                f"Problèmes : {self.issues_total} ({listed})"
                if fr
                else f"Issues: {self.issues_total} ({listed})"
            )
            shown = self.issues[:10]
            lines.extend(f"  - {issue.describe(lang)}" for issue in shown)
            if self.issues_total > len(shown):
                more = self.issues_total - len(shown)
                lines.append(f"  … {more} de plus" if fr else f"  … {more} more")
        note_word = "Remarque :" if fr else "Note:"
        lines.extend(f"{note_word} {note}" for note in self.notes)
        return lines
