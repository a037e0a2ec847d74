"""A griffe extension for the API reference: the docstrings' reStructuredText roles as cross-references.

The package's docstrings name other objects the Sphinx way (``:class:`Problem```,
``:func:`~landscape.grid```, ``:mod:`analysis.registry```). Markdown has no such roles, so
this extension rewrites each one, when the packages are loaded, into an optional
cross-reference of mkdocs-autorefs: a link where the named object is rendered in the
reference, plain code where it is not (an object outside the package, a private helper).
Relative names are looked up from the object's own scope outwards, as Sphinx does.

It also checks what griffe's own check cannot read: the docstrings document several
parameters in one entry (``mc_samples, seed: ...``), so the build turns griffe's check of
parameter names off (``warn_unknown_params: false``) and this extension makes the same
check, name by name, logging a warning (an error under ``mkdocs build --strict``) for a
documented parameter the signature does not have.
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|data|obj|exc|const|term):`(?P<target>[^`]+)`")
LOG = logging.getLogger("mkdocs.plugins.griffe_roles")


def _members(obj: griffe.Object):
    yield obj
    for member in obj.members.values():
        if not member.is_alias and isinstance(member, griffe.Object):
            yield from _members(member)


def _find(scope: Any, parts: list[str]) -> Any:
    """The object at the dotted ``parts`` below ``scope`` (inherited members of classes included), or None."""
    found = scope
    for part in parts:
        try:
            members = found.all_members if found.is_class else found.members
            found = members[part]
        except (KeyError, AttributeError, griffe.AliasResolutionError, griffe.CyclicAliasError):
            return None
    return found


def _identifier(obj: griffe.Object, target: str, collection) -> str:
    """The full path ``target`` names, seen from ``obj``: from the innermost scope outwards, then as an
    absolute path; the object's canonical path where griffe can follow its imports."""
    parts = target.split(".")
    scope: Any = obj
    found = None
    while scope is not None and found is None:
        found = _find(scope, parts)
        scope = scope.parent
    if found is None and parts[0] in collection.members:
        found = _find(collection.members[parts[0]], parts[1:])
    if found is None:
        return target
    try:
        return found.canonical_path
    except (griffe.AliasResolutionError, griffe.CyclicAliasError):
        return found.path


def _rewrite(obj: griffe.Object, text: str, collection) -> str:
    def one(match: re.Match) -> str:
        target = match["target"].strip()
        short = target.startswith("~")
        target = target.lstrip("~!")
        shown = target.rsplit(".", 1)[-1] if short else target
        ident = _identifier(obj, target, collection)
        return f'<autoref identifier="{html.escape(ident)}" optional><code>{html.escape(shown)}</code></autoref>'

    return ROLE.sub(one, text)


def _check_parameters(func: griffe.Function | griffe.Class) -> None:
    if func.docstring is None:
        return
    known = {p.name for p in func.parameters}
    if isinstance(func, griffe.Class):  # a dataclass's fields are its parameters
        known |= {name for name, member in func.members.items() if member.is_attribute}
    sections = func.docstring.parse("google", warn_unknown_params=False, warn_missing_types=False)
    for section in sections:
        if section.kind is not griffe.DocstringSectionKind.parameters:
            continue
        for param in section.value:
            for entry in param.name.split(","):
                name = entry.strip().lstrip("*")
                if name and name not in known:
                    LOG.warning(
                        "%s:%s: parameter %r of %s is documented but not in its signature",
                        func.relative_filepath,
                        func.docstring.lineno,
                        name,
                        func.path,
                    )


class RolesAsCrossReferences(griffe.Extension):
    """Rewrite reStructuredText roles into optional cross-references; check documented parameter names."""

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        collection = loader.modules_collection
        for obj in _members(pkg):
            if obj.docstring is None:
                continue
            if isinstance(obj, (griffe.Function, griffe.Class)) and not obj.name.startswith("_"):
                _check_parameters(obj)
            obj.docstring.value = _rewrite(obj, obj.docstring.value, collection)
