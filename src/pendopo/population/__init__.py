"""Population registry: residents, families (KK) with dated membership, life events.

May import ``pendopo.core``; never imported by core.
"""
