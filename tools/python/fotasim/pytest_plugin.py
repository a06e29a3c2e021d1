"""pytest fixtures for fotasim: `fotasim_module`, a module started on a temporary state dir
(timing instant) for each test, stopped afterwards.

Use it with `pytest -p fotasim.pytest_plugin`, or `pytest_plugins = ["fotasim.pytest_plugin"]`
in a conftest.py, tools/python on PYTHONPATH. Mark a test with
`@pytest.mark.fotasim_args("--timing", "fast")` to start the module with other options.
"""

import pytest

from . import Module


def pytest_configure(config):
    config.addinivalue_line("markers", "fotasim_args(*args): fotasim options for the fixture")


@pytest.fixture
def fotasim_module(request):
    marker = request.node.get_closest_marker("fotasim_args")
    args = list(marker.args) if marker else []
    timing = "instant"
    if "--timing" in args:
        i = args.index("--timing")
        timing = args[i + 1]
        del args[i:i + 2]
    with Module(timing=timing, args=args) as m:
        yield m
