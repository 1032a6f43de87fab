"""What the product does, with no HTTP in it.

Who commits: a service function that changes state is one unit of work and commits before it
returns (then enqueues, so a job never looks for a row that is not there yet). Helpers that it
composes (`store_version`, `new_version`) only add and flush. Routes and CLI commands never
commit; they call services. Services raise `grader.errors` exceptions, never HTTP ones.
"""
