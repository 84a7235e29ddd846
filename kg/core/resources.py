"""The data files that ship inside the package: the ontology, the shapes and the query library.

They are read with :mod:`importlib.resources`, so an installed wheel works from any folder. In a
checkout, ``kg/ontology`` and ``kg/queries`` are links to the top-level ``ontology/`` and
``queries/`` folders, which stay the files that people edit.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def package_path(*parts: str) -> Path:
    """The path of a file or folder shipped in the ``kg`` package."""
    return Path(str(resources.files("kg").joinpath(*parts)))


def ontology_path() -> Path:
    """The ontology, ``cart.ttl``."""
    return package_path("ontology", "cart.ttl")


def shapes_path() -> Path:
    """The SHACL shapes, ``shapes.ttl``."""
    return package_path("ontology", "shapes.ttl")


def queries_folder() -> Path:
    """The built-in query library, a folder of ``.rq`` files."""
    return package_path("queries")
