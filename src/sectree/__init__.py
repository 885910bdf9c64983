"""sectree: Tree-like Self-Play for secure code generation."""

__version__ = "0.1.0"
