"""mkdocs hook: the reference pages, generated from the code at every build.

- ``reference/scenario-file.md``: every key of a scenario file, from the pydantic
  schema (:class:`orgsim.scenario.Scenario` and its tables): meaning, default, range,
  source. A parameter's source is the ``source`` entry of its field's
  ``json_schema_extra``.
- ``reference/cli.md``: every command and option, from the Typer app.
- ``reference/api/<module>.md``: one mkdocstrings page per module of the package, found
  on disk, so a new module gets its page (and its place in the navigation) by itself.
- ``changelog.md``: the repository's ``CHANGELOG.md``.

The pages exist only in the built site; nothing is written into ``docs/``.
"""

from __future__ import annotations

import re
import sys
import types
import typing
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # document this checkout, not some installed orgsim
    sys.path.insert(0, str(ROOT))

API_TITLE = "API reference"


# -- helpers ----------------------------------------------------------------------------


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell(value: Any) -> str:
    text = str(value)
    text = text if text.startswith("`") else _html(text)  # code spans show entities as is
    return text.replace("|", "\\|").replace("\n", " ")


def _code(value: Any) -> str:
    text = str(value)
    return f"`{text}`" if text else ""


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    return repr(value)


def _kind(annotation: Any) -> str:
    """A reader's name for a field's type."""
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin is typing.Annotated:
        return _kind(args[0])
    if origin in (typing.Union, types.UnionType):
        return " or ".join(dict.fromkeys(_kind(a) for a in args))
    if origin is typing.Literal:
        return "one of " + ", ".join(_toml(a) for a in typing.get_args(annotation))
    if origin in (list, tuple):
        return "list"
    if origin is dict:
        return "table"
    names = {bool: "true/false", int: "whole number", float: "number", str: "text"}
    if annotation in names:
        return names[annotation]
    return "table" if isinstance(annotation, type) else str(annotation)


def _range(field: Any) -> str:
    parts = []
    for item in field.metadata:
        for attr, sym in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
            value = getattr(item, attr, None)
            if value is not None:
                parts.append(f"{sym} {_number(value)}")
        for attr, word in (("min_length", "at least"), ("max_length", "at most")):
            value = getattr(item, attr, None)
            if value is not None:
                parts.append(f"{word} {value} items")
    return ", ".join(parts)


def _number(value: Any) -> str:
    if isinstance(value, int) and value > 0 and (value & (value - 1)) == 0 and value > 2**20:
        return f"2^{value.bit_length() - 1}"  # e.g. a seed's bound
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:g}"


def _extra(field: Any) -> dict[str, Any]:
    extra = field.json_schema_extra
    return extra if isinstance(extra, dict) else {}


def _default(field: Any) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    return "not set" if value is None else _code(_toml(value))


def _table(model: Any, skip: tuple[str, ...] = (), sources: bool = True) -> list[str]:
    head = "| key | meaning | type | default | range |" + (" source |" if sources else "")
    rule = "|---|---|---|---|---|" + ("---|" if sources else "")
    rows = [head, rule]
    for name, field in model.model_fields.items():
        if name in skip:
            continue
        extra = _extra(field)
        meaning = field.description or ""
        if extra.get("symbol") and extra["symbol"] not in meaning:
            meaning = f"{extra['symbol']}: {meaning}"
        row = [
            f"`{name}`",
            _cell(meaning),
            _cell(_kind(field.annotation)),
            _cell(_default(field)),
            _cell(_range(field)),
        ]
        if sources:
            row.append(_cell(extra.get("source", "—")))
        rows.append("| " + " | ".join(row) + " |")
    return rows


# -- the pages --------------------------------------------------------------------------


def scenario_page() -> str:
    from orgsim import params
    from orgsim.scenario import OrganisationTable, Scenario
    from orgsim.stages import StageThresholds
    from orgsim.sweep import Sweep

    tables = ("organisation", "model", "sweep", "stages")
    lines = [
        "# Scenario-file reference",
        "",
        "Every key a scenario file (TOML) may hold, generated from orgsim's parameter schema",
        "when this site was built. Every key is optional except `name`: write only what you",
        "change. `orgsim new NAME` writes a file listing them all with their defaults, and",
        "`orgsim validate FILE` checks one (every problem on one line, with its line number).",
        "Symbols are those of the [model specification](../model.md); *source* says where a",
        'default and its range come from ("judgement" marks a plausible value, not a',
        "calibrated one).",
        "",
        "## Top level",
        "",
        *_table(Scenario, skip=tables, sources=False),
        "",
        "## `[organisation]`: the organisation's size and ties",
        "",
        *_table(OrganisationTable),
        "",
        "## `[model]`: the weekly process",
        "",
        "One step is one week. Each key is also a keyword of `orgsim.OrgModel(...)`.",
        "",
        *_table(params.DynamicsParams),  # recomposed whenever a rule registers
        "",
        "## `[sweep]`: parameters to vary",
        "",
        "Any `[organisation]` or `[model]` key can be varied. How the parts combine, with",
        "examples: [Sweeps](../sweeps.md).",
        "",
        *_table(Sweep, sources=False),
        "",
        "## `[stages]`: Edelman's stages",
        "",
        "A week is at a stage when its metrics reach these minima and those of every",
        "earlier stage. Each stage is a table `metric = minimum`; a stage left out keeps",
        "its default, an empty table (`walking = {}`) requires nothing more.",
        "",
        *_table(StageThresholds, sources=False),
        "",
    ]
    return "\n".join(lines)


def _help_paragraphs(text: str) -> list[str]:
    out: list[str] = []
    for block in text.strip().split("\n\n"):
        block = " ".join(line.strip() for line in block.splitlines())
        if block.startswith("Example: "):
            out += ["Example:", "", "```bash", block.removeprefix("Example: "), "```", ""]
        else:
            out += [_html(block), ""]
    return out


def cli_page() -> str:
    import typer

    from orgsim.cli import app

    # Only the command objects' public interface (make_context, list_commands, get_usage,
    # get_help_record): Typer's click may be vendored.
    root: Any = typer.main.get_command(app)
    ctx = root.make_context("orgsim", [], resilient_parsing=True)
    lines = [
        "# Command-line reference",
        "",
        "Generated from the `orgsim` command itself when this site was built; every command",
        "also answers `--help`. Exit codes: 0 ok, 1 a run failed, 2 bad input (one line per",
        "problem, never a traceback), 130 interrupted (finished runs are kept).",
        "",
        "Shell completion of commands, options and values: `orgsim --install-completion`",
        "(bash, zsh, fish or PowerShell; open a new shell afterwards), or",
        "`orgsim --show-completion` to see the script.",
        "",
        "```text",
        root.get_usage(ctx),
        "```",
        "",
        _options_table(root.params, ctx),
        "",
    ]
    for name in root.list_commands(ctx):
        command = root.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        sub = command.make_context(name, [], parent=ctx, resilient_parsing=True)
        lines += [f"## `orgsim {name}`", "", "```text", command.get_usage(sub), "```", ""]
        lines += _help_paragraphs(command.help or "")
        lines += [_options_table(command.params, sub), ""]
    return "\n".join(lines)


_DEFAULT = re.compile(r"\s*\[default: (.*?)\]")
_REQUIRED = re.compile(r"\s*\[required\]")


def _options_table(params: list[Any], ctx: Any) -> str:
    rows = ["| argument / option | default | meaning |", "|---|---|---|"]
    for param in params:
        record = param.get_help_record(ctx)
        if record is None:
            continue
        names, text = record
        default = _DEFAULT.search(text)
        shown = _code(default.group(1)) if default else ""
        if _REQUIRED.search(text):
            shown = "required"
        text = _REQUIRED.sub("", _DEFAULT.sub("", text)).strip()
        rows.append(f"| `{names}` | {_cell(shown)} | {_cell(text)} |")
    return "\n".join(rows) if len(rows) > 2 else ""


def api_modules() -> list[str]:
    """Every public module of the package, from the files on disk."""
    out = []
    for path in sorted((ROOT / "orgsim").rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        if any(p.startswith("_") for p in parts):
            continue
        out.append(".".join(parts))
    return out


def api_index(modules: list[str]) -> str:
    lines = [
        f"# {API_TITLE}",
        "",
        "Generated from the docstrings (numpy style) of every module when this site was",
        "built. Most users need only `orgsim.OrgModel` (a Mesa model) and the command line;",
        "each module's docstring names its core objects first.",
        "",
        "| module | what it is |",
        "|---|---|",
    ]
    for module in modules:
        lines.append(f"| [`{module}`]({module}.md) | {_cell(_summary(module))} |")
    return "\n".join(lines) + "\n"


def _summary(module: str) -> str:
    import ast

    rel = Path(*module.split("."))
    path = ROOT / rel.with_suffix(".py")
    if not path.exists():
        path = ROOT / rel / "__init__.py"
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return doc.strip().split("\n\n")[0].replace("\n", " ")


def pages() -> dict[str, str]:
    modules = api_modules()
    out = {
        "reference/scenario-file.md": scenario_page(),
        "reference/cli.md": cli_page(),
        "reference/api/index.md": api_index(modules),
        "changelog.md": (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"),
    }
    for module in modules:
        out[f"reference/api/{module}.md"] = f"::: {module}\n"
    return out


# -- mkdocs events ----------------------------------------------------------------------


def api_nav(modules: list[str]) -> list[dict[str, Any]]:
    """The API section: the overview, then one collapsed group per package.

    A flat list of every module would fill the side bar of every page.
    """
    packages = {m for m in modules if any(o.startswith(m + ".") for o in modules)}
    groups: dict[str, list[dict[str, str]]] = {}
    for module in modules:
        owner = module if module in packages else module.rpartition(".")[0] or module
        groups.setdefault(owner, []).append({module: f"reference/api/{module}.md"})
    return [{"Overview": "reference/api/index.md"}, *({k: v} for k, v in groups.items())]


def on_config(config: Any) -> Any:
    """Give every module its entry under the navigation's API section."""
    for item in config.nav or []:
        if isinstance(item, dict) and API_TITLE in item:
            item[API_TITLE] = api_nav(api_modules())
    return config


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    for path, content in pages().items():
        files.append(File.generated(config, path, content=content))
    return files
