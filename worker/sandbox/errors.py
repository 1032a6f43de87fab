"""Errors of the sandbox engine: every one is the grader's fault, never the candidate's."""


class SandboxError(Exception):
    """Grading could not run; the message says what to do about it."""


class DockerUnavailable(SandboxError):
    """The Docker daemon cannot be reached."""


class ImageMissing(SandboxError):
    """The sandbox image for the current harness has not been built."""


class ImageBuildError(SandboxError):
    """Building the sandbox image failed."""
