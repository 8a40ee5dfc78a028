# Every test under this source root: keep the clock and host name out of the cached JUnit XML.
from estream.testutil.junit import pytest_unconfigure  # noqa: F401
