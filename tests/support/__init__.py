"""What the tests (and the benchmarks) share, one module per concern.

``conftest.py`` keeps only fixtures and hooks, thin wrappers over these; a test
that needs a helper outside a fixture imports it from here by its module:

- ``clocks``: clocks and sleeps a test moves by hand;
- ``programs``: the programs the suite runs that a machine may lack, and how a
  test says so (``unavailable``);
- ``servers``: free ports and real servers in the background (redis-server,
  the app under uvicorn);
- ``standin``: the stand-in dashboard's control panel and the instant its world
  agrees on;
- ``service``: the service as tests build it (settings, in-process serving, a
  transport that holds requests back);
- ``browser``: Chromium under Playwright;
- ``mediawiki``: a throwaway MediaWiki;
- ``logs``: the process's logging put back as it was;
- ``paths``: where test data lies and test output goes.
"""
