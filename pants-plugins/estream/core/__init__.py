"""The pure core of the estream backend.

Nothing in this package imports Pants: it is shared by the Pants rules and by the
`estream` command-line tool, and must run on Python 3.9.
"""
