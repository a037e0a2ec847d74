"""A live landscape explorer in the browser: the exact loss of the single neuron over (w, b), runs from any
start with any optimizer, basin maps, the original one-weight experiment, the lip phase diagram, and deeper
networks (born-dead networks, gradient growth through leaky layers, spurious minima of teacher-student
networks), every number computed by ``landscape`` and ``analysis`` on request.

Contract
--------
* :func:`explorer.app.create_app` builds the ASGI app (Starlette); ``python
  -m explorer`` serves it with uvicorn on 127.0.0.1 (``--host``, ``--port``).
* Every endpoint takes JSON and answers JSON; :mod:`explorer.schema`
  validates each parameter before any work and caps the work a request may
  ask for (``explorer.schema.CAPS``): a bad value gets a 422 naming the value
  and what is allowed, never a 500 or a traceback.
* Nothing is precomputed except caches of answered requests (the warm-up at
  start-up answers the page's first requests, so that their programs are
  compiled before anyone asks); no endpoint runs user-supplied code except
  the problem the person starting the server names with ``--problem
  MODULE:FACTORY`` (their own trusted code, served on the loopback address
  only: the "your problem" tab, :mod:`explorer.compute`); static
  files come only from ``explorer/static``, Plotly.js included (a committed
  partial bundle, ``static/vendor``: the page works offline).
* Compiled programs persist across server starts in JAX's persistent
  compilation cache (``python -m explorer --cache-dir``; ``--no-cache``).
* The explorer knows the report (``report.json``), the report does not know
  the explorer: claim ids map to views in :data:`explorer.views.VIEWS`.
"""
