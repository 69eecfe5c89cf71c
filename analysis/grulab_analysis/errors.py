"""The one error type of grulab_analysis: what is wrong, and in which file."""


class ResultsError(Exception):
    """A results file, index or checkpoint that cannot be read as docs/results-schema.md and
    docs/analysis.md describe; the message names the file and what was expected."""
