"""Pendopo: the administration platform of an Indonesian regency.

The Django project lives here (settings, urls, the ``pendopo`` command); the domain apps are
sub-packages. ``linkage`` is the one package that must never import Django.
"""

__version__ = "0.1.0"
