"""A challenge's contract: the rules its prompt states, and the tests that check each of them.

The prompt numbers every rule in its `## Rules` section (`- **R1.** ...`); every hidden test
declares the rules it checks (`@pytest.mark.rule("R1", "R3")`, on the test, its class or the
module's `pytestmark`). A rule with no test lets a wrong answer through; a test with no rule
rejects a right answer for something the prompt never said. Both are refused, for the catalog
and for every upload.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from worker.challenge import ChallengeSpec

#: A rule's line in the prompt: `- **R4.** text` (also `*` bullets, with or without the dot).
RULE_LINE = re.compile(r"^\s*[-*]\s+\*\*(R\d+)\.?\*\*\s*(.*)$")
RULES_HEADING = re.compile(r"^##\s+Rules\s*$", re.IGNORECASE)


@dataclass
class Contract:
    rules: dict[str, str]
    """Rule id -> its text, in the prompt's order."""
    tests: dict[str, tuple[str, ...]]
    """Test (`file::name` or `file::Class::name`) -> the rules it declares."""
    problems: list[str] = field(default_factory=list)

    def tests_of(self, rule: str) -> list[str]:
        return [test for test, rules in self.tests.items() if rule in rules]


def stated_rules(prompt: str) -> tuple[dict[str, str], list[str]]:
    """The rules of the prompt's `## Rules` section, and what is wrong with their numbering."""
    rules: dict[str, str] = {}
    problems: list[str] = []
    in_section = False
    for line in prompt.splitlines():
        if line.startswith("## "):
            in_section = bool(RULES_HEADING.match(line))
            continue
        match = RULE_LINE.match(line) if in_section else None
        if match:
            rule, text = match.groups()
            if rule in rules:
                problems.append(f"the prompt states rule {rule} twice")
            rules[rule] = text.strip()
    if not rules:
        problems.append("the prompt has no `## Rules` section with `- **R1.** ...` lines")
    expected = [f"R{n}" for n in range(1, len(rules) + 1)]
    if list(rules) != expected and not problems:
        problems.append(f"the rules are not numbered R1, R2, ... in order: {list(rules)}")
    return rules, problems


def _marked_rules(decorators: list[ast.expr]) -> tuple[str, ...]:
    found: list[str] = []
    for node in decorators:
        for mark in node.elts if isinstance(node, ast.List | ast.Tuple) else [node]:
            call = mark if isinstance(mark, ast.Call) else None
            if (
                call is not None
                and isinstance(call.func, ast.Attribute)
                and call.func.attr == "rule"
                and isinstance(call.func.value, ast.Attribute)
                and call.func.value.attr == "mark"
            ):
                found += [str(a.value) for a in call.args if isinstance(a, ast.Constant)]
    return tuple(found)


def declared_rules(tests: dict[str, str]) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """Every test function of the suite and the rules its markers name."""
    found: dict[str, tuple[str, ...]] = {}
    problems: list[str] = []
    for path, source in sorted(tests.items()):
        name = path.rsplit("/", 1)[-1]
        if not (path.endswith(".py") and name.startswith("test_")):
            continue
        try:
            module = ast.parse(source, filename=path)
        except SyntaxError as exc:
            problems.append(f"{path}: {exc.msg} (line {exc.lineno})")
            continue
        module_rules: tuple[str, ...] = ()
        for node in module.body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
            ):
                module_rules += _marked_rules([node.value])
        for node in module.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
                "test"
            ):
                found[f"{path}::{node.name}"] = module_rules + _marked_rules(node.decorator_list)
            elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                class_rules = module_rules + _marked_rules(node.decorator_list)
                for item in node.body:
                    if isinstance(
                        item, ast.FunctionDef | ast.AsyncFunctionDef
                    ) and item.name.startswith("test"):
                        rules = class_rules + _marked_rules(item.decorator_list)
                        found[f"{path}::{node.name}::{item.name}"] = rules
    return found, problems


def contract_of(challenge: ChallengeSpec) -> Contract:
    """The challenge's rules and tests, with every way they fail to match up."""
    rules, problems = stated_rules(challenge.prompt)
    tests, parse_problems = declared_rules(challenge.tests)
    contract = Contract(rules, tests, problems + parse_problems)
    for test, named in tests.items():
        if not named:
            contract.problems.append(f"{test} checks no stated rule (mark it @pytest.mark.rule)")
        for rule in named:
            if rule not in rules:
                contract.problems.append(f"{test} names rule {rule}, which the prompt lacks")
    for rule in rules:
        if not contract.tests_of(rule):
            contract.problems.append(f"rule {rule} has no test")
    return contract
