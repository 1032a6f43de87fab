"""The sandbox library: grade a FastAPI answer against a hidden suite in hardened containers.

Input: a `challenge.ChallengeSpec` and the submission's files; output: a `result.GradeResult`.
It imports nothing from the service (`grader`), which calls it.
"""
