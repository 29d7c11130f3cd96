"""The views every front end shares: a report and its plan as data, tables and text.

``serialize`` (the JSON object), ``tables`` (CSV and Excel through pandas, made safe by
``spreadsheet``), ``terminal`` (the CLI's text table), and what a plan says beside the
report: ``plan_summary`` (what it reaches, in a sentence) and ``moves_vs_plan`` (the
suggested moves against it). They read ``core`` and ``planner`` and import nothing of Fava,
so the command line never loads it.
"""
