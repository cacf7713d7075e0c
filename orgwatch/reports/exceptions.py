"""Errors raised while building, rendering or sending the weekly report."""


class ReportError(Exception):
    """Root of report errors; the message tells the user what to do."""


class ReportScopeError(ReportError):
    """Raised by :func:`orgwatch.reports.data.build_report` for a week not yet started on
    ``--as-of``, and by the service for a supervising unit no organisation names."""


class RenderError(ReportError):
    """Raised by :mod:`orgwatch.reports.render` and :mod:`orgwatch.reports.xlsx` when a form
    of the report cannot be produced (template error, WeasyPrint missing or failing)."""


class RecipientsError(ReportError):
    """Raised by :func:`orgwatch.reports.service.send_report` when ``reports.recipients`` is empty."""


class QueueError(ReportError):
    """Raised by :func:`orgwatch.reports.service.send_report` when the report cannot be put in the
    outbox (its PDF cannot be copied into the data directory beside the messages)."""
