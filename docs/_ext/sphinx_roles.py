"""A griffe extension: the docstrings' Sphinx roles become links of the API reference.

The docstrings say ``:class:`Event``` and ``:meth:`close```, as ``help()`` and IDEs read
them. mkdocstrings renders Markdown, where a role would show as is; this turns each into an
autorefs link to the public name it means (``fastly_tokens.Event``, or the member of the
class the docstring is on), or, for a private name the reference does not show, into code.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:class|meth|func|attr|mod|exc|data|obj):`(?P<tilde>~?)(?P<target>[\w.]+)`")
PUBLIC = ("fastly_tokens", "fastly_tokens.testing")


class SphinxRoles(griffe.Extension):
    """Rewrite the roles of every docstring in the loaded package, once it is all loaded."""

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **_: Any) -> None:
        """Map canonical paths to public ones, then rewrite each docstring's roles."""
        if pkg.path != "fastly_tokens":
            return
        collection = loader.modules_collection
        public = _public_paths(collection)
        for obj in _walk(pkg):
            if obj.docstring is not None:
                obj.docstring.value = _rewrite(obj.docstring.value, obj, collection, public)


def _rewrite(
    text: str, obj: griffe.Object, collection: griffe.ModulesCollection, public: dict[str, str]
) -> str:
    return ROLE.sub(lambda found: _link(found, obj, collection, public), text)


def _walk(obj: griffe.Object) -> list[griffe.Object]:
    found = [obj]
    for member in obj.members.values():
        if not member.is_alias and isinstance(member, griffe.Object):
            found.extend(_walk(member))
    return found


def _public_paths(collection: griffe.ModulesCollection) -> dict[str, str]:
    """Each public name's canonical path (and its members') -> the path the reference shows."""
    public: dict[str, str] = {}
    for package in PUBLIC:
        module = collection[package]
        for name in module.exports or ():
            member = module[name]
            canonical = member.final_target.path if member.is_alias else f"{package}.{name}"
            public[canonical] = f"{package}.{name}"
    return public


def _resolve(target: str, obj: griffe.Object, collection: griffe.ModulesCollection) -> str | None:
    """Find ``target`` from ``obj``'s class, module or package; its canonical path, or None."""
    scopes: list[griffe.Object] = []
    here: griffe.Object | None = obj
    while here is not None:
        scopes.append(here)
        here = here.parent
    relative = target.lstrip(".")
    for scope in scopes:
        try:
            found = scope[relative] if not target.startswith("fastly_tokens") else None
        except (KeyError, ValueError, griffe.AliasResolutionError):
            continue
        if found is not None:
            return str(found.final_target.path if found.is_alias else found.path)
    if target.startswith("fastly_tokens"):
        try:
            found = collection[target]
        except (KeyError, ValueError):
            return None
        return str(found.final_target.path if found.is_alias else found.path)
    return None


def _unique_member(name: str, collection: griffe.ModulesCollection) -> str | None:
    """Find the one public class with a member ``name`` (``revoke_many``); None if not one."""
    owners = []
    for package in PUBLIC:
        module = collection[package]
        for export in module.exports or ():
            cls = module[export].final_target if module[export].is_alias else module[export]
            if isinstance(cls, griffe.Class) and name in cls.all_members:
                owners.append(f"{package}.{export}.{name}")
    return owners[0] if len(owners) == 1 else None


def _link(
    found: re.Match[str],
    obj: griffe.Object,
    collection: griffe.ModulesCollection,
    public: dict[str, str],
) -> str:
    target = found["target"]
    shown = target.rsplit(".", 1)[-1] if found["tilde"] else target.lstrip(".")
    canonical = _resolve(target, obj, collection)
    if canonical is not None:
        for inner, outer in public.items():
            if canonical == inner or canonical.startswith(inner + "."):
                return f"[`{shown}`][{outer}{canonical[len(inner) :]}]"
    if "." not in target and (member := _unique_member(target, collection)):
        return f"[`{shown}`][{member}]"
    return f"`{shown}`"
