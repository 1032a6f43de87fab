"""interview-grader: the service people talk to (API, CLI, database, accounts)."""
