"""Datasets shipped with botpress_async for the demo (``botpress-async demo``).

``airports.csv``: 3,376 US airports (iata, name, city, state, country, latitude, longitude), the
file shipped in the ``vega_datasets`` 0.9.0 Python package (MIT licence, Copyright (c) 2018 Jake
Vanderplas; https://github.com/altair-viz/vega_datasets). The data is a subset of the airport data
published by OurAirports (https://ourairports.com/data/), which is in the public domain. The file is
copied byte for byte; see ``CREDITS.txt`` next to it.
"""

from __future__ import annotations

import io
from importlib import resources
from typing import IO

__all__ = ["AIRPORTS_CSV", "open_dataset"]

#: File name of the airports dataset inside this package.
AIRPORTS_CSV = "airports.csv"


def open_dataset(name: str = AIRPORTS_CSV) -> IO[str]:
    """Open a shipped dataset as UTF-8 text, ready for :class:`csv.DictReader`.

    Args:
        name: the file name inside ``botpress_async/datasets`` (default ``airports.csv``).

    Returns:
        A text stream opened with ``newline=""`` (as the csv module wants); close it after use.

    Raises:
        FileNotFoundError: no such dataset.
    """
    binary = resources.files(__package__).joinpath(name).open("rb")
    return io.TextIOWrapper(binary, encoding="utf-8", newline="")
