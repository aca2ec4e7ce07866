"""Published numbers of the reference trial (Xiao et al. 2025, JMIR mHealth uHealth 13:e56176).

Transcribed from Tables 1 and 2 of the paper in ``../shared/seed/`` [V]. Used by the simulator
(:mod:`backcoach.trial.simulate`) and by the reproduction check in ``docs/paper-reproduction.md``.
Arms are named ``AI`` and ``video``; the paper's reference arm is ``video``.
"""

from __future__ import annotations

from dataclasses import dataclass

ARMS = ("AI", "video")
REFERENCE_ARM = "video"
RANDOMISED = {"AI": 19, "video": 19}
PER_PROTOCOL = {"AI": 18, "video": 16}


@dataclass(frozen=True)
class Baseline:
    """Table 1 summary of one variable in one arm: mean (SD), or median (IQR) when ``median``."""

    centre: float
    spread: float | None = None  # SD
    q1: float | None = None
    q3: float | None = None

    @property
    def is_median(self) -> bool:
        return self.q1 is not None


# Table 1 (per-protocol, video n = 16, AI n = 18).
TABLE1: dict[str, dict[str, Baseline]] = {
    "age": {"video": Baseline(28.9, 9.1), "AI": Baseline(29.3, 7.4)},
    "education_years": {"video": Baseline(17.0, q1=16.0, q3=17.0), "AI": Baseline(16.0, q1=16.0, q3=18.0)},
    "bmi": {"video": Baseline(21.0, 2.9), "AI": Baseline(21.3, 2.4)},
    "pain_duration_months": {"video": Baseline(32.6, 27.8), "AI": Baseline(53.3, 61.2)},
    "nrs_worst": {"video": Baseline(4.0, q1=4.0, q3=5.0), "AI": Baseline(5.0, q1=4.0, q3=5.8)},
    "nrs_mean": {"video": Baseline(4.0, q1=3.0, q3=4.0), "AI": Baseline(4.0, q1=3.0, q3=5.0)},
    "nrs_current": {"video": Baseline(3.0, q1=3.0, q3=4.0), "AI": Baseline(3.0, q1=3.0, q3=3.8)},
    "odi": {"video": Baseline(7.8, 2.8), "AI": Baseline(8.4, 3.1)},
    "rmdq": {"video": Baseline(4.5, 2.0), "AI": Baseline(5.1, 1.7)},
    "pcs": {"video": Baseline(13.9, 9.1), "AI": Baseline(18.6, 9.1)},
    "tug": {"video": Baseline(10.2, 1.2), "AI": Baseline(10.4, 1.1)},
    "tra_left": {"video": Baseline(3.8, 0.5), "AI": Baseline(4.1, 0.8)},
    "tra_right": {"video": Baseline(3.9, 0.6), "AI": Baseline(4.0, 0.6)},
    "mf_left": {"video": Baseline(26.8, 3.2), "AI": Baseline(27.4, 4.1)},
    "mf_right": {"video": Baseline(25.7, 3.3), "AI": Baseline(26.6, 4.4)},
}
MALE = {"video": 2, "AI": 6}  # Table 1 gender, n male of the per-protocol arm


@dataclass(frozen=True)
class PaperChange:
    """Table 2 row: change from baseline by arm and the adjusted difference (AI minus video)."""

    ai_mean: float
    ai_sd: float
    video_mean: float
    video_sd: float
    difference: float
    ci_low: float
    ci_high: float
    p: str  # as printed (".38", "<.001")


# Table 2, keyed by (outcome, week).
TABLE2: dict[tuple[str, int], PaperChange] = {
    ("nrs_worst", 2): PaperChange(-2.06, 1.47, -1.31, 1.30, -0.33, -1.05, 0.40, ".38"),
    ("nrs_worst", 4): PaperChange(-3.00, 1.41, -1.50, 1.03, -1.08, -1.68, -0.49, "<.001"),
    ("nrs_worst", 8): PaperChange(-3.06, 1.51, -1.69, 1.54, -0.95, -1.73, -0.18, ".02"),
    ("nrs_mean", 2): PaperChange(-1.67, 1.19, -1.69, 0.79, 0.34, -0.19, 0.87, ".20"),
    ("nrs_mean", 4): PaperChange(-2.61, 0.92, -1.62, 0.96, -0.67, -1.19, -0.15, ".01"),
    ("nrs_mean", 8): PaperChange(-2.50, 1.10, -1.50, 1.55, -0.68, -1.53, 0.17, ".12"),
    ("nrs_current", 2): PaperChange(-1.22, 1.63, -1.62, 1.15, 0.31, -0.34, 0.96, ".35"),
    ("nrs_current", 4): PaperChange(-2.17, 1.29, -2.19, 1.22, -0.07, -0.71, 0.57, ".83"),
    ("nrs_current", 8): PaperChange(-2.06, 1.11, -1.88, 1.86, -0.27, -1.15, 0.60, ".54"),
    ("tug", 4): PaperChange(-1.05, 0.78, -0.85, 0.86, -0.15, -0.65, 0.35, ".55"),
    ("tra_left", 4): PaperChange(0.30, 0.45, -0.14, 0.31, 0.47, 0.19, 0.75, ".002"),
    ("tra_right", 4): PaperChange(0.57, 0.41, -0.09, 0.47, 0.69, 0.39, 0.99, "<.001"),
    ("mf_left", 4): PaperChange(0.90, 1.15, -0.01, 1.11, 0.94, 0.14, 1.74, ".02"),
    ("mf_right", 4): PaperChange(0.84, 0.85, -0.03, 0.98, 0.92, 0.27, 1.56, ".007"),
    ("odi", 2): PaperChange(-2.06, 2.21, -1.56, 3.16, -0.16, -1.66, 1.34, ".83"),
    ("odi", 4): PaperChange(-3.67, 2.59, -2.25, 1.69, -1.09, -2.26, 0.09, ".07"),
    ("rmdq", 2): PaperChange(-2.39, 2.23, -2.00, 1.71, -0.01, -0.98, 0.96, ".99"),
    ("rmdq", 4): PaperChange(-3.17, 1.82, -1.88, 1.02, -0.91, -1.48, -0.34, ".002"),
    ("pcs", 2): PaperChange(-4.33, 7.77, -1.12, 6.83, -1.65, -6.14, 2.84, ".47"),
    ("pcs", 4): PaperChange(-9.06, 6.80, -3.56, 6.15, -3.94, -7.69, -0.19, ".04"),
}
