"""Every test here: the Pants daemons its runs started (`run_pants(..., pantsd=True)`) end with it."""

from typing import Iterator

import pytest

from integration.pants_repo import stop_all_pantsd


@pytest.fixture(autouse=True)
def stop_pants_daemons() -> Iterator[None]:
    yield
    stop_all_pantsd()
