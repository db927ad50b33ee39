"""NoSQL sinks: ``pymongo``'s ``Collection`` methods that take a filter (or a pipeline).

The filter is serialised with ``json.dumps(filter, default=str)`` (``ObjectId``, dates and
other BSON types become strings) and checked: a user-supplied object carrying query operators
(``{"$ne": ""}``, ``{"$where": …}``, ``{"$regex": …}``) that reached the filter fires.
``find_one`` calls ``find``, which is not checked again.
"""

from __future__ import annotations

from typing import Any, Callable, Dict

from ._context import check_nosql
from ._patch import arg, checked_call, replace

__all__ = ["THIRD_PARTY"]

#: Methods whose first argument (after ``self``) is the filter.
_FILTER_FIRST = (
    "find", "find_one", "find_raw_batches", "count_documents", "delete_one", "delete_many",
    "update_one", "update_many", "replace_one", "find_one_and_delete",
    "find_one_and_replace", "find_one_and_update",
)


def _filter(state: Any, args: tuple, kwargs: dict) -> None:
    check_nosql(state, arg(args, kwargs, 1, "filter"))


def _distinct(state: Any, args: tuple, kwargs: dict) -> None:
    check_nosql(state, arg(args, kwargs, 2, "filter"))


def _pipeline(state: Any, args: tuple, kwargs: dict) -> None:
    check_nosql(state, arg(args, kwargs, 1, "pipeline"))


def _patch_collection(module: Any) -> None:
    cls = getattr(module, "Collection", None)
    if cls is None:
        return
    for name in _FILTER_FIRST:
        replace(cls, name, checked_call("nosql", _filter))
    replace(cls, "distinct", checked_call("nosql", _distinct))
    replace(cls, "aggregate", checked_call("nosql", _pipeline))


#: Module name → patch.
THIRD_PARTY: Dict[str, Callable[[Any], None]] = {
    "pymongo.collection": _patch_collection,
}
