"""segmint.sources: read sources into the data contract, quarantine bad rows, stitch identities."""

from segmint.sources.columns import detect_columns
from segmint.sources.quality import quality_report
from segmint.sources.readers import read_database_table, read_source, read_table
from segmint.sources.result import IngestResult, ReadOptions

__all__ = [
    "IngestResult",
    "ReadOptions",
    "detect_columns",
    "quality_report",
    "read_database_table",
    "read_source",
    "read_table",
]
