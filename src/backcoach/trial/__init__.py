"""The randomised trial: screening, randomisation, blinding, visits, analysis and exports (docs/trial.md)."""
