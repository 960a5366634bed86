"""
The kit's runtime: what a Jupyter kernel imports when a lesson runs.

``boot`` (Django in the kernel, its private database), ``recorder`` (every
signal sent, as a table and a diagram), ``receivers`` (re-run-safe
``@lab.receiver``), ``listeners`` (who is listening), ``dispatch`` (the only
reader of Django's private dispatcher layout), ``magic`` (``%%signals``),
``errors`` (one-line errors), ``netguard`` (no network from lessons),
``teaching`` (``predict``, ``source``).

May import ``signals_lab.layout`` only; never ``signals_lab.checks`` or
``signals_lab.tools``.
"""
