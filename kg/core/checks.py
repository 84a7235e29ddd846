"""The boundary: every value that becomes an IRI, a number or a path is checked here on entry.

Each check returns why a value is refused (a sentence a user can act on), or None when it is
fine; the caller adds where the value came from (file, line, claim, parameter). The curation
readers (:class:`kg.curation.fields.FieldReader`), the query parameters and the dataset manifest
all go through these functions, so one rule holds everywhere: no NaN, infinity or absurd number,
no control character in a text, no IRI with a space or without a scheme, no file read from outside
the folder it belongs to.
"""

from __future__ import annotations

import math
import os
import re
import stat
from decimal import Decimal
from pathlib import Path

#: The largest magnitude a number of the sources or of a parameter may have. Counts of patients,
#: months and percentages are far below it; above it a value is a typo or an attack (a 5,000-digit
#: integer makes Python's int parser refuse it, a 1e308 float overflows the decimals written out).
MAX_MAGNITUDE = Decimal(10) ** 12
#: The most digits a whole number written as text (a parameter) may have.
MAX_DIGITS = 15
#: The largest file the curation readers read (an article text, a YAML file): 64 MiB.
MAX_FILE_BYTES = 64 * 2**20

#: Characters an IRI may not hold (RFC 3987's excluded ASCII, and the controls).
_IRI_BAD = re.compile(r"[\x00-\x20<>\"{}|\\^`\x7f]")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
#: Control characters that have no place in a text (tab, newline and carriage return are fine).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def number_problem(value: object) -> str | None:
    """Why a number is refused (NaN, an infinity, a magnitude above :data:`MAX_MAGNITUDE`)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    if (isinstance(value, float) and math.isnan(value)) or \
            (isinstance(value, Decimal) and value.is_nan()):
        return "is not a number (NaN)"
    if isinstance(value, (float, Decimal)) and math.isinf(value):
        return "is infinite"
    if (isinstance(value, int) and value.bit_length() > 64) or \
            abs(Decimal(value)) > MAX_MAGNITUDE:
        return f"is absurdly large (more than {MAX_MAGNITUDE:,.0f} in magnitude)"
    return None


def integer_text_problem(text: str) -> str | None:
    """Why a whole number written as text is refused (not digits, or too many of them)."""
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        return "is not a whole number"
    if len(text.lstrip("+-")) > MAX_DIGITS:
        return f"has more than {MAX_DIGITS} digits"
    return None


def first_control(text: str) -> int | None:
    """The index of the first control character of ``text`` (not tab or a line break), or None."""
    found = _CONTROL.search(text)
    return None if found is None else found.start()


def control_name(char: str) -> str:
    """A control character as a user reads it: ``U+0000``."""
    return f"U+{ord(char):04X}"


def text_problem(value: object) -> str | None:
    """Why a text is refused: it holds a control character (other than tab and line breaks)."""
    if not isinstance(value, str):
        return None
    at = first_control(value)
    if at is None:
        return None
    return f"holds the control character {control_name(value[at])} at position {at + 1}"


def iri_problem(value: str) -> str | None:
    """Why a text cannot be an absolute IRI: no scheme, or a space or character IRIs exclude."""
    if not _SCHEME.match(value):
        return "has no scheme (it must start like https:)"
    bad = _IRI_BAD.search(value)
    if bad is not None:
        shown = "a space" if bad.group() == " " else f"the character {bad.group()!r}"
        return f"holds {shown}, which an IRI cannot hold"
    return None


def url_problem(value: object) -> str | None:
    """Why a text is not a web address (an ``http`` or ``https`` IRI)."""
    if not isinstance(value, str):
        return None
    problem = iri_problem(value)
    if problem is None and not re.match(r"^https?://[^/]", value, re.IGNORECASE):
        problem = "is not an http:// or https:// address"
    return problem


#: A DOI: the directory indicator 10, a registrant code, "/", a suffix without spaces (the DOI
#: Handbook's syntax; the form Crossref recommends checking against).
DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
#: A PubMed identifier: a positive whole number of at most 9 digits.
PMID_RE = re.compile(r"^[1-9][0-9]{0,8}$")


def doi_problem(value: object) -> str | None:
    """Why a text is not a DOI (``10.1056/NEJMoa2403437``), written without its resolver."""
    if not isinstance(value, str):
        return None
    if re.match(r"^(https?://(dx\.)?doi\.org/|doi:)", value, re.IGNORECASE):
        return "is a DOI with its resolver or prefix: write the DOI alone, from '10.'"
    return None if DOI_RE.match(value) else "is not a DOI (10.<registrant>/<suffix>)"


def pmid_problem(value: object) -> str | None:
    """Why a value is not a PubMed identifier (a positive whole number)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return None if PMID_RE.match(str(value)) else "is not a PMID (a whole number, e.g. 38381674)"


def inside(path: Path, folder: Path) -> bool:
    """Whether ``path``, symbolic links followed, lies inside ``folder`` (also resolved)."""
    try:
        return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(folder))
    except (OSError, ValueError):
        return False


def file_problem(path: Path, folder: Path) -> str | None:
    """Why a file of ``folder`` may not be read: it leads outside, is not a file, or is huge.

    A symbolic link to a file of the same folder is fine; one that leads elsewhere (``/etc``)
    is refused, as is a pipe or a device (reading one could hang) and a file over
    :data:`MAX_FILE_BYTES`. A file that does not exist is left to the reader to report.
    """
    if not os.path.lexists(path):
        return None
    if not inside(path, folder):
        return (f"leads outside its folder {folder} (to {os.path.realpath(path)}); "
                "files are read only inside the folder they belong to")
    try:
        info = os.stat(path)
    except OSError as err:
        return f"cannot be read ({err.strerror})"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file (a folder, a pipe or a device)"
    if info.st_size > MAX_FILE_BYTES:
        return f"is larger than {MAX_FILE_BYTES // 2**20} MiB"
    return None
