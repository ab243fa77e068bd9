"""The pure core: questionnaire, scoring, roadmap and privacy rules.

No Flask, database, pandas or WeasyPrint imports (enforced by import contracts).
"""
