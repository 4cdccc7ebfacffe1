"""Every write of the points app, by sub-topic (STYLE habit 10: a package once it grows).

``ledger``: accounts, posting transfers, reversals, verification; ``earning``: budgets, rules,
awards and the reward hook; ``redemption``: merchants, pay codes, payments, settlements;
``shop``: the points shop; ``expiry``: year-end expiry; ``honour``: the honour roll and ranking.
"""
