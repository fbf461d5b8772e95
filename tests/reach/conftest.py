"""The reach service over the hand-made network of tests/reach/network.py, caught up."""

import pytest

from tests.reach import network
from tests.reach.feeds import serving


@pytest.fixture
async def reach(database_urls, keys, request):
    min_cell_size = getattr(request, "param", 10)
    async with serving(database_urls["reach"], keys, network.load,
                       min_cell_size=min_cell_size) as client:
        yield client
