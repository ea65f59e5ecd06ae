"""Realistic synthetic Indonesian data for demos, tests and benchmarks: a population with
families, and the errors village spreadsheets and agency rolls carry. Plain Python, seeded;
never imports Django, so the identity engine's tests and ``bench/`` can use it too."""
