"""The package version, in a module of its own so that the CLI and the web app can read it
without importing the package root (whose type-checking imports name every layer)."""

__version__ = "0.1.0"
