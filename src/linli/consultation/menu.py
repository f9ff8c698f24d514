"""The renovation menu (改造菜单) that survey options may stand for, without importing renewal.

Consultation comes before renewal in a compound's life and must not import it, yet the
survey builder offers the catalogue's items as menu codes (居民点单). Renewal registers a
source at start-up (``register_menu_source`` in its ``AppConfig.ready``); with none
registered the menu is empty and codes are typed by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

MenuSource = Callable[[], Iterable[tuple[str, str]]]

_sources: list[MenuSource] = []


def register_menu_source(fn: MenuSource) -> None:
    """Add a function returning ``(code, name)`` pairs of menu items (idempotent)."""
    if fn not in _sources:
        _sources.append(fn)


def unregister_menu_source(fn: MenuSource) -> None:
    """Remove a source (tests)."""
    if fn in _sources:
        _sources.remove(fn)


def menu_items() -> list[tuple[str, str]]:
    """Every registered menu item as ``(code, name)``, by code, without duplicates."""
    items: dict[str, str] = {}
    for source in _sources:
        for code, name in source():
            items.setdefault(str(code), str(name))
    return sorted(items.items())
