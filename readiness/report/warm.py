"""Imported by the forkserver that isolated renders start from: fills the renderer's fonts once.

A module of its own so that importing `readiness.report.render` stays free of side effects;
`multiprocessing` preloads it in the forkserver only (`render._FORKSERVER`).
"""

from readiness.report.render import warm_up

warm_up()
