"""A live landscape explorer in the browser: the exact loss of the single neuron over (w, b), runs from any
start with any optimizer, basin maps, the original one-weight experiment and the lip phase diagram, every
number computed by ``landscape`` and ``analysis`` on request.

Contract
--------
* :func:`explorer.app.create_app` builds the ASGI app (Starlette); ``python
  -m explorer`` serves it with uvicorn on 127.0.0.1 (``--host``, ``--port``).
* Every endpoint takes JSON and answers JSON; :mod:`explorer.schema`
  validates each parameter before any work and caps the work a request may
  ask for (``explorer.schema.CAPS``): a bad value gets a 422 naming the value
  and what is allowed, never a 500 or a traceback.
* Nothing is precomputed except caches of answered requests; no endpoint
  runs user-supplied code; static files come only from ``explorer/static``
  and Plotly.js from the installed ``plotly`` package (works offline).
* The explorer knows the report (``report.json``), the report does not know
  the explorer: claim ids map to views in :data:`explorer.views.VIEWS`.
"""
