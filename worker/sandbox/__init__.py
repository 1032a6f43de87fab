"""The sandbox engine: build the image, grade a submission in hardened containers."""

from worker.sandbox.engine import FreshSlots, Sandbox, SlotFactory, SlotSource, internal_error
from worker.sandbox.errors import DockerUnavailable, ImageBuildError, ImageMissing, SandboxError
from worker.sandbox.image import build_image, image_tag
from worker.sandbox.pool import SlotPool
from worker.sandbox.runtime import connect, sweep
from worker.sandbox.slot import Slot

__all__ = [
    "DockerUnavailable",
    "FreshSlots",
    "ImageBuildError",
    "ImageMissing",
    "Sandbox",
    "SandboxError",
    "Slot",
    "SlotFactory",
    "SlotPool",
    "SlotSource",
    "build_image",
    "connect",
    "image_tag",
    "internal_error",
    "sweep",
]
