"""The network model: street edges, one graph per mode, snapping and persistence."""

from .network import Network

__all__ = ["Network"]
