"""Pure codecs, one subpackage per protocol family (no I/O).

``classic`` is the HTTP text protocol (``VER=1.1&CMD=Login&...``); each family
translates its wire values to and from :mod:`qqdesk.core` at its edge.
"""
