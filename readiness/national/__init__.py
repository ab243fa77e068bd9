"""National views: queries, aggregation, parameters, exports, charts, summary PDF.

pandas is imported only by the `aggregate` subpackage.
"""
