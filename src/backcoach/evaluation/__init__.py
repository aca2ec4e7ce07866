"""The accuracy harness: how well the engine judges exercises, measured on data with known answers.

One module per dataset (``synthetic``, ``ui_prmd``, ``keraal``, ``exercise_correction``,
``tfjs_squat``), each with ``evaluate(quick: bool) -> DatasetResult``; :mod:`.report` writes
``docs/accuracy.md`` and :mod:`.floors` guards the figures against regressions. Thresholds come from
the exercise files (the clinical brief), never from the evaluation data.
"""
