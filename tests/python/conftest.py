# The fixtures of tools/python/fotasim (PYTHONPATH holds tools/python: meson's test sets it).
pytest_plugins = ["fotasim.pytest_plugin"]
