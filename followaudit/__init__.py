"""followaudit: estimate how many of an account's followers are authentic."""

__version__ = "0.1.0"
