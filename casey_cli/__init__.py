"""casey-cli: track police-reform recommendations borough by borough."""

__version__ = "0.7.0"
