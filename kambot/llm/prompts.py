"""Prompt templates as versioned YAML files, validated when loaded.

Layout: ``prompts/<lang>/<name>.yaml`` with

```yaml
id: draft_document          # must equal the file name
version: 3                  # bump when the wording changes (stored with documents)
language: en                # must equal the folder
description: ...
variables: [title, facts]   # every {{ placeholder }} of system and user, and nothing else
system: |
  ...
user: |
  ... {{ title }} ... {{ facts }} ...
kinds:                      # optional: guidance per document kind
  account_strategy: ...
```

Placeholders are ``{{ name }}`` so that JSON braces in a prompt need no escaping. A
placeholder not declared, a declared variable never used, a missing field or a
language mismatch is a :class:`~kambot.errors.ConfigError` at load time; rendering
without one of the variables is a ConfigError too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from kambot.errors import ConfigError

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
REQUIRED = ("id", "version", "language", "variables", "system", "user")
LANGS = ("fr", "en")


@dataclass(frozen=True)
class PromptTemplate:
    """A validated prompt: a system and a user template with declared variables."""

    id: str
    version: str
    language: str
    description: str
    variables: tuple[str, ...]
    system: str
    user: str
    kinds: dict[str, str] = field(default_factory=dict)
    path: str = ""

    @property
    def ref(self) -> str:
        """Return ``<id>@<version>/<language>``, stored with what the prompt produced."""
        return f"{self.id}@{self.version}/{self.language}"

    def render(self, **values: str) -> tuple[str, str]:
        """Return the (system, user) texts with every variable substituted.

        Raises:
            ConfigError: a declared variable is missing or an unknown one is given.
        """
        missing = [v for v in self.variables if v not in values]
        unknown = [v for v in values if v not in self.variables]
        if missing or unknown:
            raise ConfigError(
                f"prompt {self.ref}: "
                + (f"missing variable(s) {', '.join(missing)}" if missing else "")
                + ("; " if missing and unknown else "")
                + (f"unknown variable(s) {', '.join(unknown)}" if unknown else ""),
                hint=f"the prompt declares: {', '.join(self.variables)}",
            )

        def fill(template: str) -> str:
            return PLACEHOLDER.sub(lambda m: values[m.group(1)], template)

        return fill(self.system), fill(self.user)


def _problem(path: Path, message: str) -> ConfigError:
    return ConfigError(f"prompt file {path}: {message}",
                       hint="fix the file; see kambot/llm/prompts.py for the format")


def parse_prompt(raw: Any, path: Path) -> PromptTemplate:
    """Validate the parsed YAML of a prompt file and build the template.

    Raises:
        ConfigError: for any problem, naming the file and the field.
    """
    if not isinstance(raw, dict):
        raise _problem(path, "expected a mapping at the top level")
    missing = [k for k in REQUIRED if k not in raw]
    if missing:
        raise _problem(path, f"missing field(s): {', '.join(missing)}")
    pid, lang = str(raw["id"]), str(raw["language"])
    if pid != path.stem:
        raise _problem(path, f"id {pid!r} differs from the file name {path.stem!r}")
    if lang not in LANGS or lang != path.parent.name:
        raise _problem(path, f"language {lang!r} must be fr or en and match its folder "
                             f"{path.parent.name!r}")
    variables = raw["variables"]
    if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
        raise _problem(path, "variables must be a list of names")
    for key in ("system", "user"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise _problem(path, f"{key} must be a non-empty text")
    used = set(PLACEHOLDER.findall(raw["system"])) | set(PLACEHOLDER.findall(raw["user"]))
    undeclared = sorted(used - set(variables))
    unused = sorted(set(variables) - used)
    if undeclared:
        raise _problem(path, f"placeholder(s) not declared in variables: {', '.join(undeclared)}")
    if unused:
        raise _problem(path, f"variable(s) declared but never used: {', '.join(unused)}")
    stray = re.findall(r"\{\{[^}]*\}\}", PLACEHOLDER.sub("", raw["system"] + raw["user"]))
    if stray:
        raise _problem(path, f"malformed placeholder(s): {', '.join(stray)}")
    kinds = raw.get("kinds") or {}
    if not isinstance(kinds, dict) or not all(isinstance(v, str) for v in kinds.values()):
        raise _problem(path, "kinds must map document kinds to guidance texts")
    return PromptTemplate(
        id=pid, version=str(raw["version"]), language=lang,
        description=str(raw.get("description") or ""), variables=tuple(variables),
        system=raw["system"], user=raw["user"], kinds={str(k): v for k, v in kinds.items()},
        path=str(path),
    )


@lru_cache(maxsize=64)
def _load(path: str, mtime: float) -> PromptTemplate:
    p = Path(path)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise _problem(p, f"not valid YAML ({exc})") from exc
    return parse_prompt(raw, p)


def load_prompt(prompts_dir: Path, name: str, lang: str) -> PromptTemplate:
    """Load and validate ``prompts/<lang>/<name>.yaml`` (cached until the file changes).

    Raises:
        ConfigError: the file is missing or invalid.
    """
    path = prompts_dir / lang / f"{name}.yaml"
    if not path.is_file():
        raise ConfigError(f"prompt {name!r} in {lang!r} not found at {path}",
                          hint="check KAMBOT_PROMPTS_DIR")
    return _load(str(path), path.stat().st_mtime)


def load_all(prompts_dir: Path) -> list[PromptTemplate]:
    """Load every prompt file of the folder (used by tests and ``kambot doctor``-style checks).

    Raises:
        ConfigError: on the first invalid file.
    """
    out = []
    for lang in LANGS:
        for path in sorted((prompts_dir / lang).glob("*.yaml")):
            out.append(load_prompt(prompts_dir, path.stem, lang))
    return out
