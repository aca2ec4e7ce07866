"""Persistence: SQLAlchemy 2 models, repositories and Alembic migrations.

No business rules live here: scoring, grading and decisions come from the clinical, motion and
trial libraries; this package stores their inputs and results.
"""
