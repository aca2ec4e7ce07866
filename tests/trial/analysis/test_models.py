import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

from backcoach.trial.analysis.models import ModelError, fit_ancova, fit_gee

R_TOLERANCE = 1e-6


def simulated_changes(seed: int, weeks: list[int], n_per_arm: int = 17) -> pd.DataFrame:
    """Trial-shaped change scores: arm effect grows with week, baseline slope -0.5, correlated visits."""
    rng = np.random.default_rng(seed)
    rows = []
    for arm in ("video", "AI"):
        for k in range(n_per_arm):
            baseline = rng.normal(5, 1.5)
            subject_effect = rng.normal(0, 0.8)
            for w in weeks:
                effect = -0.25 * w if arm == "AI" else 0.0
                change = -0.3 * w + effect - 0.5 * (baseline - 5) + subject_effect + rng.normal(0, 1)
                rows.append((f"{arm}{k}", arm, w, baseline, change))
    return pd.DataFrame(rows, columns=["subject", "arm", "week", "baseline", "change"])


def test_gee_recovers_a_nearly_noiseless_effect():
    rng = np.random.default_rng(0)
    rows = []
    for k in range(20):
        arm = "B" if k % 2 else "A"
        baseline = float(k % 7)
        for w in (2, 4):
            change = 1.0 * w + (2.0 if arm == "B" and w == 2 else 0) + (3.0 if arm == "B" and w == 4 else 0) - 0.5 * baseline
            rows.append((str(k), arm, w, baseline, change + rng.normal(0, 1e-6)))
    data = pd.DataFrame(rows, columns=["subject", "arm", "week", "baseline", "change"])
    diffs = fit_gee(data, reference="A")
    assert [d.week for d in diffs] == [2, 4]
    assert diffs[0].estimate == pytest.approx(2.0, abs=1e-5)
    assert diffs[1].estimate == pytest.approx(3.0, abs=1e-5)
    assert diffs[1].ci_low < 3.0 < diffs[1].ci_high


def test_ancova_recovers_a_nearly_noiseless_effect():
    rng = np.random.default_rng(1)
    baseline = rng.normal(10, 1, 30)
    arm = np.where(np.arange(30) % 2, "B", "A")
    change = -0.2 * baseline + np.where(arm == "B", -0.7, 0.0) + rng.normal(0, 1e-6, 30)
    data = pd.DataFrame({"subject": range(30), "arm": arm, "week": 4, "baseline": baseline, "change": change})
    d = fit_ancova(data, reference="A")
    assert d.estimate == pytest.approx(-0.7, abs=1e-5)
    assert d.method == "ANCOVA"


def test_models_refuse_a_third_arm():
    data = simulated_changes(0, [2, 4])
    data.loc[0, "arm"] = "other"
    with pytest.raises(ModelError, match="need exactly two arms"):
        fit_gee(data, reference="video", outcome="nrs_mean")


R_SCRIPT = r"""
suppressMessages(library(geepack))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE)
d <- d[order(d$subject, d$week), ]
d$arm <- relevel(factor(d$arm), ref = "video")
weeks <- sort(unique(d$week))
out <- NULL
if (length(weeks) > 1) {
  d$time <- factor(d$week, levels = weeks)
  d$wave <- match(d$week, weeks)
  d$id <- as.integer(factor(d$subject))
  fit <- geeglm(change ~ arm * time + baseline, id = id, waves = wave, data = d,
                family = gaussian("identity"), corstr = "exchangeable", std.err = "san.se")
  b <- coef(fit); V <- vcov(fit)
  for (w in weeks) {
    L <- setNames(rep(0, length(b)), names(b)); L["armAI"] <- 1
    if (w != weeks[1]) L[paste0("armAI:time", w)] <- 1
    est <- sum(L * b); se <- sqrt(drop(t(L) %*% V %*% L))
    out <- rbind(out, data.frame(week = w, estimate = est, low = est - qnorm(0.975) * se,
                                 high = est + qnorm(0.975) * se, p = 2 * pnorm(-abs(est / se))))
  }
} else {
  fit <- lm(change ~ arm + baseline, data = d)
  ci <- confint(fit)["armAI", ]
  out <- data.frame(week = weeks, estimate = coef(fit)[["armAI"]], low = ci[[1]], high = ci[[2]],
                    p = summary(fit)$coefficients["armAI", "Pr(>|t|)"])
}
write.csv(out, args[2], row.names = FALSE)
"""


def run_r(tmp_path, data: pd.DataFrame) -> pd.DataFrame:
    rscript = shutil.which("Rscript")
    assert rscript, "Rscript not found: install r-base-core and r-cran-geepack (scripts/setup.sh)"
    script = tmp_path / "fit.R"
    script.write_text(R_SCRIPT)
    data.to_csv(tmp_path / "in.csv", index=False, float_format="%.17g")
    subprocess.run([rscript, str(script), str(tmp_path / "in.csv"), str(tmp_path / "out.csv")],
                   check=True, capture_output=True, text=True, timeout=120)
    return pd.read_csv(tmp_path / "out.csv")


@pytest.mark.r
@pytest.mark.parametrize("seed, weeks", [
    pytest.param(1, [2, 4], id="two-visits"),
    pytest.param(2, [2, 4, 8], id="three-visits"),
    pytest.param(3, [2, 4, 8], id="three-visits-other-seed"),
])
def test_gee_matches_geepack(tmp_path, seed, weeks):
    data = simulated_changes(seed, weeks)
    ours = fit_gee(data, reference="video")
    theirs = run_r(tmp_path, data)
    assert theirs["week"].tolist() == weeks
    for d, (_, r) in zip(ours, theirs.iterrows()):
        assert d.estimate == pytest.approx(r["estimate"], abs=R_TOLERANCE)
        assert d.ci_low == pytest.approx(r["low"], abs=R_TOLERANCE)
        assert d.ci_high == pytest.approx(r["high"], abs=R_TOLERANCE)
        assert d.p == pytest.approx(r["p"], abs=R_TOLERANCE)


@pytest.mark.r
@pytest.mark.parametrize("seed", [4, 5])
def test_ancova_matches_r_lm(tmp_path, seed):
    data = simulated_changes(seed, [4])
    data = data.drop(index=[3, 20])  # unequal arms, as after a missed visit
    ours = fit_ancova(data, reference="video")
    theirs = run_r(tmp_path, data).iloc[0]
    assert ours.estimate == pytest.approx(theirs["estimate"], abs=R_TOLERANCE)
    assert ours.ci_low == pytest.approx(theirs["low"], abs=R_TOLERANCE)
    assert ours.ci_high == pytest.approx(theirs["high"], abs=R_TOLERANCE)
    assert ours.p == pytest.approx(theirs["p"], abs=R_TOLERANCE)


R_MANCL_DEROUEN = r"""
suppressMessages(library(geepack))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE)
d <- d[order(d$subject, d$week), ]
d$arm <- relevel(factor(d$arm), ref = "video")
weeks <- sort(unique(d$week))
d$time <- factor(d$week, levels = weeks)
d$id <- as.integer(factor(d$subject))
fit <- geeglm(change ~ arm * time + baseline, id = id, waves = match(week, weeks), data = d,
              family = gaussian("identity"), corstr = "exchangeable")
# Mancl-DeRouen: residuals inflated by (I - H_i)^-1 inside the sandwich, Gaussian identity link
X <- model.matrix(fit); r <- d$change - fitted(fit); rho <- fit$geese$alpha[[1]]
clusters <- split(seq_len(nrow(X)), d$id)
Rinv <- lapply(clusters, function(i) solve((1 - rho) * diag(length(i)) + rho))
bread <- Reduce(`+`, Map(function(i, W) t(X[i, , drop = FALSE]) %*% W %*% X[i, , drop = FALSE], clusters, Rinv))
bread_inv <- solve(bread)
meat <- Reduce(`+`, Map(function(i, W) {
  Xi <- X[i, , drop = FALSE]
  Hi <- Xi %*% bread_inv %*% t(Xi) %*% W
  u <- t(Xi) %*% W %*% solve(diag(length(i)) - Hi, r[i])
  u %*% t(u)
}, clusters, Rinv))
V <- bread_inv %*% meat %*% bread_inv
b <- coef(fit); names(b) <- colnames(X); dimnames(V) <- list(names(b), names(b))
out <- NULL
for (w in weeks) {
  L <- setNames(rep(0, length(b)), names(b)); L["armAI"] <- 1
  if (w != weeks[1]) L[paste0("armAI:time", w)] <- 1
  est <- sum(L * b); se <- sqrt(drop(t(L) %*% V %*% L))
  out <- rbind(out, data.frame(week = w, estimate = est, se = se))
}
write.csv(out, args[2], row.names = FALSE)
"""


@pytest.mark.r
@pytest.mark.parametrize("seed, weeks", [pytest.param(6, [2, 4], id="two-visits"), pytest.param(7, [2, 4, 8], id="three-visits")])
def test_bias_reduced_se_matches_mancl_derouen_written_in_r(tmp_path, seed, weeks):
    data = simulated_changes(seed, weeks)
    ours = fit_gee(data, reference="video", se="bias-reduced")
    plain = fit_gee(data, reference="video")
    rscript = shutil.which("Rscript")
    assert rscript, "Rscript not found: install r-base-core and r-cran-geepack (scripts/setup.sh)"
    (tmp_path / "md.R").write_text(R_MANCL_DEROUEN)
    data.to_csv(tmp_path / "in.csv", index=False, float_format="%.17g")
    subprocess.run([rscript, str(tmp_path / "md.R"), str(tmp_path / "in.csv"), str(tmp_path / "out.csv")],
                   check=True, capture_output=True, text=True, timeout=120)
    theirs = pd.read_csv(tmp_path / "out.csv")
    for d, p, (_, r) in zip(ours, plain, theirs.iterrows()):
        assert d.method == "GEE (Mancl-DeRouen SE)"
        assert d.estimate == pytest.approx(r["estimate"], abs=R_TOLERANCE)
        assert d.se == pytest.approx(r["se"], abs=R_TOLERANCE)
        assert d.se > p.se  # the correction widens the interval


def test_unknown_standard_error_is_refused():
    with pytest.raises(ModelError, match="standard error 'jackknife'"):
        fit_gee(simulated_changes(0, [2, 4]), reference="video", se="jackknife")
