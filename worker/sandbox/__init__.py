"""The sandbox engine: build the image, grade a submission in hardened containers."""

from worker.sandbox.engine import Sandbox, Slot, internal_error
from worker.sandbox.errors import DockerUnavailable, ImageBuildError, ImageMissing, SandboxError
from worker.sandbox.image import build_image, image_tag
from worker.sandbox.limits import Limits
from worker.sandbox.runtime import connect, reap

__all__ = [
    "DockerUnavailable",
    "ImageBuildError",
    "ImageMissing",
    "Limits",
    "Sandbox",
    "SandboxError",
    "Slot",
    "build_image",
    "connect",
    "image_tag",
    "internal_error",
    "reap",
]
