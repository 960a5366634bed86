"""
Terminal and maintainer tools: nothing a kernel runs imports this package.

* ``cli``: the learner's command line (``signals-lab``; ``make progress`` ...).
* ``kernel``: the one fresh-kernel runner (nbclient) every tool uses.
* ``notebooks``: ``make execute`` and canonical notebook metadata.
* ``generate``: ``make exercises`` (exercises/ from solutions/).
* ``launch``: ``make lab`` (JupyterLab on loopback, token on).

May import anything in the kit.
"""
