"""The weekly report: figures from the database (``data``), HTML and PDF (``render``), Excel (``xlsx``),
and the services the ``orgwatch report`` command calls (``service``)."""
