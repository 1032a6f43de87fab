import threading
from dataclasses import asdict, dataclass, field
from itertools import count


@dataclass
class Report:
    id: str
    numbers: list[int] = field(repr=False)
    status: str = "pending"
    result: int | None = None

    def public(self) -> dict:
        data = asdict(self)
        del data["numbers"]
        return data


class ReportStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reports: dict[str, Report] = {}
        self._ids = count(1)

    def add(self, numbers: list[int]) -> Report:
        with self._lock:
            report = Report(id=f"report-{next(self._ids)}", numbers=list(numbers))
            self._reports[report.id] = report
            return report

    def get(self, report_id: str) -> Report | None:
        with self._lock:
            return self._reports.get(report_id)

    def finish(self, report_id: str) -> None:
        with self._lock:
            report = self._reports[report_id]
            report.result = sum(report.numbers)
            report.status = "done"
