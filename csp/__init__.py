"""Core of the Community Safety Partnership pipeline: configuration, the store and shared types.

The stages themselves live in ``tasks/`` (plain functions) and ``flows/`` (Prefect orchestration).
"""

__version__ = "0.1.0"
