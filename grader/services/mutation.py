"""Automatic mutants of a challenge's reference solution, to find what its hidden suite misses.

Each mutant changes one thing in the reference's Python files, with one of these operators:
- `compare`: a comparison flipped or made inclusive/exclusive (`<` -> `<=`, `==` -> `!=`, `in` ->
  `not in`, ...);
- `constant`: an integer constant one more or one less (lengths, bounds, counts);
- `status`: an HTTP status code swapped for its neighbours (201 -> 200, 422 -> 400, ...), as a
  number or as a `status.HTTP_...` name;
- `negate`: the condition of an `if`, `while`, conditional expression or `assert` negated;
- `remove`: a statement in a function body replaced by `pass`;
- `return`: a returned value replaced by `None`.
A mutant that scores 100 survives: the suite must gain a test that kills it, or the challenge
lists it as equivalent (`equivalent-mutants.toml`, with the reason) when no behaviour over HTTP
can tell it from the reference. Ids name the file, line, column, operator and change, so they
stay put while the reference does.
"""

from __future__ import annotations

import ast
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from worker.challenge import Files

_COMPARE: dict[type[ast.cmpop], tuple[type[ast.cmpop], ...]] = {
    ast.Lt: (ast.LtE, ast.Gt),
    ast.LtE: (ast.Lt, ast.GtE),
    ast.Gt: (ast.GtE, ast.Lt),
    ast.GtE: (ast.Gt, ast.LtE),
    ast.Eq: (ast.NotEq,),
    ast.NotEq: (ast.Eq,),
    ast.In: (ast.NotIn,),
    ast.NotIn: (ast.In,),
    ast.Is: (ast.IsNot,),
    ast.IsNot: (ast.Is,),
}

#: Status codes and the neighbours a wrong answer plausibly uses instead.
_STATUS: dict[int, tuple[int, ...]] = {
    200: (201, 204),
    201: (200, 202),
    202: (200, 201),
    204: (200,),
    400: (422, 404),
    401: (403, 400),
    403: (401, 404),
    404: (400, 410),
    409: (400, 422),
    410: (404,),
    413: (400, 422),
    422: (400, 409),
    429: (503,),
    503: (500,),
}
_STATUS_NAMES = {
    200: "HTTP_200_OK",
    201: "HTTP_201_CREATED",
    202: "HTTP_202_ACCEPTED",
    204: "HTTP_204_NO_CONTENT",
    400: "HTTP_400_BAD_REQUEST",
    401: "HTTP_401_UNAUTHORIZED",
    403: "HTTP_403_FORBIDDEN",
    404: "HTTP_404_NOT_FOUND",
    409: "HTTP_409_CONFLICT",
    410: "HTTP_410_GONE",
    413: "HTTP_413_CONTENT_TOO_LARGE",
    422: "HTTP_422_UNPROCESSABLE_CONTENT",
    429: "HTTP_429_TOO_MANY_REQUESTS",
    500: "HTTP_500_INTERNAL_SERVER_ERROR",
    503: "HTTP_503_SERVICE_UNAVAILABLE",
}
_STATUS_BY_NAME = {name: code for code, name in _STATUS_NAMES.items()}
_STATUS_BY_NAME |= {"HTTP_422_UNPROCESSABLE_ENTITY": 422, "HTTP_413_REQUEST_ENTITY_TOO_LARGE": 413}

#: Statements a `remove` mutant may drop (inside function bodies only).
_REMOVABLE = (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Raise, ast.Delete, ast.Return)


@dataclass(frozen=True)
class Mutant:
    id: str
    """`file:line:col:operator:change`, e.g. `main.py:42:11:compare:Lt->LtE`."""
    files: Files


Mutate = Callable[[ast.AST], ast.AST]
"""Changes a node (in place, or returns its replacement)."""


def _points(tree: ast.Module, path: str) -> Iterator[tuple[ast.AST, str, Mutate]]:
    """Every (node, id, mutate) of one module, in a fixed order."""
    in_function: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for statement in ast.walk(node):
                if statement is not node:
                    in_function.add(id(statement))
    for node in ast.walk(tree):
        where = f"{path}:{getattr(node, 'lineno', 0)}:{getattr(node, 'col_offset', 0)}"
        if isinstance(node, ast.Compare):
            for index, op in enumerate(node.ops):
                for new in _COMPARE.get(type(op), ()):
                    change = f"{type(op).__name__}->{new.__name__}"
                    yield node, f"{where}:compare:{index}:{change}", _set_op(index, new)
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            value = node.value
            if value in _STATUS:
                for other in _STATUS[value]:
                    yield node, f"{where}:status:{value}->{other}", _constant(other)
            else:
                for other in (value + 1, value - 1):
                    yield node, f"{where}:constant:{value}->{other}", _constant(other)
        elif isinstance(node, ast.Attribute) and node.attr in _STATUS_BY_NAME:
            code = _STATUS_BY_NAME[node.attr]
            for other in _STATUS.get(code, ()):
                name = _STATUS_NAMES[other]
                yield node, f"{where}:status:{node.attr}->{name}", _attribute(name)
        if isinstance(node, ast.If | ast.While | ast.IfExp | ast.Assert):
            yield node, f"{where}:negate:{type(node).__name__}", _negate
        docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        if id(node) in in_function and isinstance(node, _REMOVABLE) and not docstring:
            yield node, f"{where}:remove:{type(node).__name__}", _remove
        returns_none = isinstance(node, ast.Return) and (
            node.value is None
            or (isinstance(node.value, ast.Constant) and node.value.value is None)
        )
        if isinstance(node, ast.Return) and not returns_none:
            yield node, f"{where}:return:None", _return_none


def _set_op(index: int, new: type[ast.cmpop]) -> Mutate:
    def mutate(node: ast.AST) -> ast.AST:
        assert isinstance(node, ast.Compare)
        node.ops[index] = new()
        return node

    return mutate


def _constant(value: int) -> Mutate:
    def mutate(node: ast.AST) -> ast.AST:
        assert isinstance(node, ast.Constant)
        node.value = value
        return node

    return mutate


def _attribute(name: str) -> Mutate:
    def mutate(node: ast.AST) -> ast.AST:
        assert isinstance(node, ast.Attribute)
        node.attr = name
        return node

    return mutate


def _negate(node: ast.AST) -> ast.AST:
    assert isinstance(node, ast.If | ast.While | ast.IfExp | ast.Assert)
    node.test = ast.UnaryOp(op=ast.Not(), operand=node.test)
    return node


def _remove(node: ast.AST) -> ast.AST:
    return ast.copy_location(ast.Pass(), node)


def _return_none(node: ast.AST) -> ast.AST:
    assert isinstance(node, ast.Return)
    node.value = ast.Constant(value=None)
    return node


class _Apply(ast.NodeTransformer):
    """Replaces the one node that is `target` with `mutate(target)`."""

    def __init__(self, target: ast.AST, mutate: Mutate) -> None:
        self.target = target
        self.mutate = mutate

    def visit(self, node: ast.AST) -> ast.AST:
        if node is self.target:
            return self.mutate(node)
        visited: ast.AST = super().visit(node)
        return visited


def mutants_of(files: Files) -> list[Mutant]:
    """Every automatic mutant of the Python files in `files` (the reference), deduplicated by
    the code they produce."""
    found: list[Mutant] = []
    seen: set[str] = set()
    for path, source in sorted(files.items()):
        if not path.endswith(".py"):
            continue
        try:
            points = list(_points(ast.parse(source), path))
        except SyntaxError:
            continue
        for index, (_, mutant_id, _) in enumerate(points):
            tree = ast.parse(source)  # a fresh tree per mutant: the mutation is in place
            node, _, mutate = list(_points(tree, path))[index]
            code = ast.unparse(ast.fix_missing_locations(_Apply(node, mutate).visit(tree)))
            if code in seen:
                continue
            seen.add(code)
            found.append(Mutant(mutant_id, {**files, path: code + "\n"}))
    return found


def sample(mutants: list[Mutant], count: int | None, seed: str) -> list[Mutant]:
    """`count` of them, the same ones for the same `seed` (all with `count` None)."""
    if count is None or count >= len(mutants):
        return list(mutants)
    return sorted(random.Random(seed).sample(mutants, count), key=lambda m: m.id)
