"""Importing CSV and XLSX files into kambot: read, map, validate, write all or nothing.

Public entry points:
- :func:`import_file` one file (native format, a mapping file or a preset);
- :func:`import_bundle` a folder of native-format files, in one transaction;
- :func:`load_mapping`, :func:`preset_names` column mappings;
- :class:`ImportReport`, :class:`ImportIssue` what an import did;
- :func:`scan_text` the injection-marker detector for untrusted text.
"""

from __future__ import annotations

from kambot.store.importers.entities import ENTITY_ORDER, EntityName
from kambot.store.importers.mapping import Mapping, load_mapping, parse_mapping, preset_names
from kambot.store.importers.report import ImportIssue, ImportReport
from kambot.store.importers.runner import import_bundle, import_file
from kambot.store.importers.untrusted import InjectionScan, scan_text

__all__ = [
    "ENTITY_ORDER",
    "EntityName",
    "ImportIssue",
    "ImportReport",
    "InjectionScan",
    "Mapping",
    "import_bundle",
    "import_file",
    "load_mapping",
    "parse_mapping",
    "preset_names",
    "scan_text",
]
