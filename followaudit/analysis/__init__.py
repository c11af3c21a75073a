"""What scored followers and an account's own posts add up to: the summary, the gates, behaviour, batches.

May import: ``errors``, ``accounts``, ``handles``, ``filesystem``, ``formats``, ``model``.
"""
