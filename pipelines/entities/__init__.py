"""Entity mentions: gazetteers, formulas, abbreviations and rule-based detectors, one module per concept."""
