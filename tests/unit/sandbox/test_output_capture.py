from worker.sandbox.harness.protocol import APP_ERROR_MARKER, APP_STARTED_MARKER
from worker.sandbox.slot import OutputCapture


def test_keeps_the_head_and_marks_what_was_dropped() -> None:
    capture = OutputCapture(keep=10, limit=1000)
    capture.add(b"0123456789abcdef")
    assert capture.text() == "0123456789\n[... 6 more bytes of output dropped ...]\n"


def test_reports_crossing_the_limit_once() -> None:
    capture = OutputCapture(keep=10, limit=20)
    assert capture.add(b"x" * 20) is False
    assert capture.add(b"x") is True
    assert capture.add(b"x" * 100) is False
    assert capture.total == 121


def test_app_error_comes_from_the_last_marker_line_and_leaves_the_log() -> None:
    capture = OutputCapture(keep=4096, limit=10_000)
    capture.add(b"hello\n" + f"{APP_ERROR_MARKER}fake\n{APP_ERROR_MARKER}real reason\n".encode())
    assert capture.app_error() == "real reason"
    assert APP_ERROR_MARKER not in capture.text()
    assert capture.text().startswith("hello")


def test_no_marker_means_no_app_error() -> None:
    capture = OutputCapture(keep=100, limit=1000)
    capture.add(b"Traceback ...\n")
    assert capture.app_error() is None


def test_started_lines_are_counted_across_chunks_and_leave_the_log() -> None:
    capture = OutputCapture(keep=4096, limit=10_000)
    line = f"{APP_STARTED_MARKER}\n".encode()
    capture.add(line[:10])
    capture.add(line[10:] + b"app output\n" + line)
    assert capture.started == 2
    assert APP_STARTED_MARKER not in capture.text()
    assert "app output" in capture.text()
