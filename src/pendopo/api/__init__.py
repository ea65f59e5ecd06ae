"""The v1 API, assembled from each app's ``api.py`` router. Reads through selectors, writes
through services; domain errors become JSON with a Bahasa Indonesia ``detail``."""
