"""Trial analysis: analysis sets, Table 1 (baseline), Table 2 (GEE / ANCOVA), output, figures."""

from backcoach.trial.analysis.data import TrialDataError, read_covariates_csv, read_long_csv, validate_long
from backcoach.trial.analysis.imputation import ImputationError
from backcoach.trial.analysis.models import ModelError
from backcoach.trial.analysis.pipeline import TrialAnalysis, analyze
from backcoach.trial.analysis.sets import AnalysisSet

__all__ = [
    "AnalysisSet",
    "ImputationError",
    "ModelError",
    "TrialAnalysis",
    "TrialDataError",
    "analyze",
    "read_covariates_csv",
    "read_long_csv",
    "validate_long",
]
