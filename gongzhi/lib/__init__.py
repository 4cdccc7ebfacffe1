"""Pure-Python building blocks of Gongzhi.

Nothing in this package imports Django: each module is fast, unit-tested on its own and
benchmarkable alone (see ``bench/``). Django apps import from here, never the other way round.
"""
