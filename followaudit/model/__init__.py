"""The model: features of an account, the tree ensemble that scores them, its training and evaluation.

May import: ``errors``, ``accounts``, ``handles``, ``filesystem``, ``formats``.
"""
